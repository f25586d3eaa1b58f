"""no-secret-files on patterns real repositories hold: env templates, public build-time env
files and PEM handling code are fine; a real credential next to them is still found."""

from __future__ import annotations

from pathlib import Path

import pytest

from edgespark_tasks.checks import run_checks
from edgespark_tasks.checks.credentials import real_credential
from edgespark_tasks.checks.envfiles import env_kind
from edgespark_tasks.checks.findings import Finding
from edgespark_tasks.project.model import load_project
from edgespark_tasks.project.settings import load_settings
from edgespark_tasks.testing.projects import git, make_project_repo

# Built at run time so this file holds no credential-shaped literal itself.
STRIPE_LIVE = "sk_" + "live_" + "4eC39HqLyjWDarjtT1zdp7dc"
OPENAI = "sk-" + "proj-" + "Zq8vN3kLm2Pw7XrT5yB1cD4eF6gH9jK0"
PEM_BODY = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj"


@pytest.fixture
def app(tmp_path: Path) -> Path:
    return make_project_repo(tmp_path / "app")


def scan(root: Path) -> list[Finding]:
    settings = load_settings(root)
    return run_checks(load_project(root, settings.paths), settings, ["no-secret-files"])


def add(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    git(root, "add", "-f", *files)


@pytest.mark.parametrize("name", [".env.example", ".env.sample", ".env.template",
                                  ".env.dist", ".env.local.example", ".env.production.sample"])
def test_env_templates_with_placeholders_pass(app: Path, name: str) -> None:
    add(app, {name: "# copy to .env.local\nSTRIPE_SECRET_KEY=sk_live_your_key_here\n"
                    "OPENAI_API_KEY=\nexport SESSION_SECRET=changeme-please\n"
                    "DATABASE_URL=postgres://user:password@localhost/db\n"
                    "JWT_SECRET=<generate one>\nGITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
              "server/.env.example": "API_BASE=http://localhost:7775 # the dev server\n"})
    assert scan(app) == []


def test_env_template_with_a_real_key_names_file_line_and_key_not_value(app: Path) -> None:
    add(app, {"server/.env.example": f"A=placeholder\n\nSTRIPE_SECRET_KEY={STRIPE_LIVE}\n"})
    [finding] = scan(app)
    assert (finding.path, finding.line, finding.severity) == ("server/.env.example", 3, "error")
    assert "STRIPE_SECRET_KEY" in finding.message
    assert STRIPE_LIVE not in finding.format()


def test_tracked_mode_env_file_warns_on_public_values_errors_on_a_credential(app: Path) -> None:
    add(app, {"web/.env.development": "VITE_API_URL=http://localhost:7775\n"
                                      "VITE_STRIPE_KEY=pk_live_51HxYzAbCdEfGhIjKlMnOpQr\n"})
    [finding] = scan(app)
    assert (finding.path, finding.severity) == ("web/.env.development", "warning")
    add(app, {"web/.env.development": f"VITE_API_URL=http://localhost:7775\n"
                                      f"VITE_OPENAI_KEY={OPENAI}\n"})
    [finding] = scan(app)
    assert (finding.path, finding.line, finding.severity) == ("web/.env.development", 2, "error")
    assert "VITE_OPENAI_KEY" in finding.message and OPENAI not in finding.format()


@pytest.mark.parametrize("name", [".env", ".env.local", "web/.env.production.local",
                                  ".edgespark/session.json"])
def test_local_env_files_stay_errors(app: Path, name: str) -> None:
    add(app, {name: "X=1\n"})
    assert [(f.path, f.severity) for f in scan(app)] == [(name, "error")]


@pytest.mark.parametrize(("path", "kind"), [
    (".env", "local"), (".env.local", "local"), (".env.staging.local", "local"),
    (".env.example", "template"), (".env.development.example", "template"),
    (".env.development", "mode"), ("web/.env.test", "mode"), ("x/.edgespark/a", "local"),
    ("env.ts", None), (".environment", None),
])
def test_env_kinds(path: str, kind: str | None) -> None:
    assert env_kind(Path(path)) == kind


def test_pem_header_alone_is_not_a_credential_a_key_body_is(app: Path) -> None:
    header = "-----BEGIN " + "PRIVATE KEY-----"
    add(app, {"server/src/pem.ts": f'export const strip = (pem: string) =>\n'
                                   f'  pem.replace("{header}", "").replace(/\\s+/g, "");\n'})
    assert scan(app) == []
    add(app, {"server/src/key.ts": f'export const key = "{header}\\n{PEM_BODY}\\n";\n'})
    assert [(f.path, f.line) for f in scan(app)] == [("server/src/key.ts", 1)]


def test_placeholder_and_publishable_values_are_not_real_credentials() -> None:
    assert not real_credential("sk-your-openai-key-here", "OPENAI_API_KEY")
    assert not real_credential("pk_live_51HxYzAbCdEfGhIjKlMnOpQr", "VITE_STRIPE_KEY")
    assert real_credential(STRIPE_LIVE, "STRIPE")
    assert real_credential(OPENAI, "VITE_OPENAI_KEY")


def test_labels_and_placeholders_in_code_are_not_hard_coded_secrets(app: Path) -> None:
    add(app, {"server/src/labels.ts": 'export const labels = { password: "Password", '
                                      'apiKey: "your-api-key-here", secret: "Secret" };\n',
              "server/src/jwt.ts": 'export const cfg = { secret: "k9-Xq2-v7Lm-88aa" };\n'})
    assert [(f.path, f.line) for f in scan(app)] == [("server/src/jwt.ts", 1)]


def test_encrypted_env_files_may_be_committed_their_keys_may_not(app: Path) -> None:
    blob = "aGVsbG8gd29ybGQgdGhpcyBpcyBlbmNyeXB0ZWQgOWYzYTJi1c9d"
    add(app, {".env.vault": f'DOTENV_VAULT_PRODUCTION="{blob}"\n',
              "web/.env.production": "DOTENV_PUBLIC_KEY_PRODUCTION=03f8a6e1c2b4d5e6f7081a2b3c4d5e6f"
                                     f"7081a2b3c4d5e6f7081a2b3c4d5e6f70\nAPI_TOKEN=encrypted:{blob}\n"})
    assert [(f.path, f.severity) for f in scan(app)] == [("web/.env.production", "warning")]
    add(app, {".env.keys": f"DOTENV_PRIVATE_KEY_PRODUCTION={blob}\n"})
    assert (".env.keys", "error") in [(f.path, f.severity) for f in scan(app)]
