"""runtime-keys on the shapes real apps use: wrapper helpers across modules, cast receivers,
display labels, and older scaffolds without runtime.ts. Each trap sits next to a real bug."""

from __future__ import annotations

from pathlib import Path

import pytest

from edgespark_tasks.checks import run_checks
from edgespark_tasks.checks.findings import Finding
from edgespark_tasks.project.model import load_project
from edgespark_tasks.project.settings import load_settings
from edgespark_tasks.testing.projects import make_project_repo

SRC = "server/src/"
RUNTIME = '''export type VarKey = "PUBLIC_APP_NAME" | "GOOGLE_CLIENT_ID" | "MAX_NOTES_PER_USER"
  | "FEATURE_SEARCH" | "CAST_ONLY_VAR";
export type SecretKey = "GOOGLE_CLIENT_SECRET" | "OPENAI_API_KEY" | "STRIPE_SECRET_KEY";
'''
ENV = '''import { vars, secret } from "edgespark";
// Helpers as real apps write them: the casts hide undeclared keys from tsc.
export function optionalSecret(key: string) { return secret.get(key as any) }
export const hasVar = (k: string) => Boolean(vars.get(k as any))
export const varOr = function (name: string, fallback: string): string {
  return vars.get(name as VarKey) ?? fallback;
};
export function flagOn(name: string): boolean { return hasVar(name) && varOr(name, "") === "1" }
export default function requireSecret(key: string): string {
  const v = optionalSecret(key);
  if (!v) throw new Error(`missing ${key}`);
  return v;
}
'''


@pytest.fixture
def app(tmp_path: Path) -> Path:
    root = make_project_repo(tmp_path / "app")
    write(root, {SRC + "defs/runtime.ts": RUNTIME, SRC + "lib/env.ts": ENV,
                 SRC + "lib/index.ts": 'export * from "./env";\n'})
    return root


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def scan(root: Path) -> list[Finding]:
    settings = load_settings(root)
    return run_checks(load_project(root, settings.paths), settings, ["runtime-keys"])


def by_severity(found: list[Finding], severity: str) -> list[tuple[str, int | None]]:
    return [(f.path, f.line) for f in found if f.severity == severity]


def test_wrappers_are_inferred_across_modules_and_their_reads_checked(app: Path) -> None:
    write(app, {SRC + "routes/a.ts": '''import requireSecret, { optionalSecret as opt } from "../lib/env";
import * as env from "../lib";
import { flagOn } from "@/lib/env";
export const a = () => [
  opt("OPENAI_API_KEY"), requireSecret("STRIPE_SECRET_KEY"),
  env.hasVar("FEATURE_SEARCH"), env.varOr("MAX_NOTES_PER_USER", "9"),
  opt("UNDECLARED_ONE"),
  flagOn("UNDECLARED_FLAG"),
  requireSecret("UNDECLARED_TWO"),
  env.hasVar("GOOGLE_CLIENT_SECRET"),
];
'''})
    found = scan(app)
    errors = [(f.line, f.message) for f in found if f.severity == "error"]
    assert errors == [
        (7, 'opt("UNDECLARED_ONE") reads a secret that runtime.ts does not declare'),
        (8, 'flagOn("UNDECLARED_FLAG") reads a var that runtime.ts does not declare'),
        (9, 'requireSecret("UNDECLARED_TWO") reads a secret that runtime.ts does not declare'),
        (10, "GOOGLE_CLIENT_SECRET is a SecretKey but is read through env.hasVar()"),
    ]
    assert {f.path for f in found if f.severity == "error"} == {SRC + "routes/a.ts"}
    # The helpers' own bodies are wrapper layers: no "not checkable" note for them.
    assert by_severity(found, "note") == []
    # Keys read only through helpers count as used.
    unused = " ".join(f.message for f in found if f.severity == "warning")
    for key in ("OPENAI_API_KEY", "STRIPE_SECRET_KEY", "FEATURE_SEARCH", "MAX_NOTES_PER_USER"):
        assert key not in unused


def test_a_label_beside_a_wrapper_call_is_not_a_read(app: Path) -> None:
    write(app, {SRC + "routes/status.ts": '''import { hasVar } from "../lib/env";
const item = (label: string, ok: boolean) => ({ label, ok });
export const status = () => [item("NOT_A_KEY_LABEL", hasVar("FEATURE_SEARCH")),
  item("ANOTHER_LABEL", hasVar("MISSING_VAR"))];
'''})
    errors = [f for f in scan(app) if f.severity == "error"]
    assert [(f.line, "MISSING_VAR" in f.message) for f in errors] == [(4, True)]


def test_variable_key_through_a_wrapper_is_a_note_at_the_call_site(app: Path) -> None:
    write(app, {SRC + "routes/dyn.ts": '''import { optionalSecret } from "../lib/env";
export const pick = (req: { provider: string }) => optionalSecret(req.provider + "_KEY");
'''})
    found = scan(app)
    assert by_severity(found, "note") == [(SRC + "routes/dyn.ts", 2)]
    assert by_severity(found, "error") == []


def test_cast_receiver_reads_are_checked(app: Path) -> None:
    write(app, {SRC + "routes/cast.ts": '''import { secret, vars } from "edgespark";
type Getter = { get(k: string): string | undefined };
export const ok = (secret as unknown as Getter).get("OPENAI_API_KEY");
export const bad = (secret as unknown as { get(k: string): string | undefined }).get("NOPE");
export const old = (<any>vars).get("ALSO_NOPE");
export const bang = (vars!).get("PUBLIC_APP_NAME");
export function dynamic(name: string, other: { n: string }) {
  return (vars as any).get(other.n);
}
'''})
    found = scan(app)
    assert by_severity(found, "error") == [(SRC + "routes/cast.ts", 4), (SRC + "routes/cast.ts", 5)]
    assert by_severity(found, "note") == [(SRC + "routes/cast.ts", 8)]
    # CAST_ONLY_VAR may be read by the variable-key cast read: the warning says so.
    [unused] = [f for f in found if "CAST_ONLY_VAR" in f.message]
    assert "a read with a variable key may use it" in unused.message


def test_cast_receiver_with_a_parameter_key_is_a_wrapper(app: Path) -> None:
    write(app, {SRC + "routes/getter.ts": '''import { secret } from "edgespark";
export function getSecret(name: string) {
  return (secret as unknown as { get(k: string): string | undefined }).get(name);
}
export const x = getSecret("NOT_DECLARED_SECRET");
'''})
    found = scan(app)
    assert [(f.line, f.severity) for f in found if f.path.endswith("getter.ts")] == [(5, "error")]


def test_setting_covers_what_cannot_be_inferred(app: Path) -> None:
    (app / "pyproject.toml").write_text(
        '[tool.edgespark-tasks]\nruntime_key_wrappers = {readKey = "secret"}\n')
    write(app, {SRC + "routes/cfg.ts": 'export const k = config.readKey("SET_ONLY");\n'})
    assert [f.line for f in scan(app) if f.severity == "error"] == [1]


def test_object_and_static_helpers_and_base_url_imports(app: Path) -> None:
    write(app, {
        "server/tsconfig.json": '{\n  // JSONC, as tsc allows\n  "compilerOptions": '
                                '{ "baseUrl": "./src", "strict": true, },\n}\n',
        SRC + "lib/keys.ts": '''import { vars, secret } from "edgespark";
export const env = {
  secret: (k: string) => secret.get(k as any),
  flag(name: string) { return vars.get(name as any) === "1"; },
};
export class Keys { static var(name: string) { return vars.get(name as never); }
  get(name: string) { return vars.get(name as never); } }
export default { read: (k: string) => secret.get(k as any) };
''',
        SRC + "routes/b.ts": '''import keys, { env, Keys } from "lib/keys";
export const b = [env.secret("OPENAI_API_KEY"), env.flag("MISSING_FLAG"),
  Keys.var("MISSING_STATIC"), keys.read("MISSING_DEFAULT"), new Keys().get("NOT_TRACKED")];
'''})
    errors = [(f.line, f.message.split(" reads")[0]) for f in scan(app) if f.severity == "error"]
    assert errors == [(2, 'env.flag("MISSING_FLAG")'), (3, 'Keys.var("MISSING_STATIC")'),
                      (3, 'keys.read("MISSING_DEFAULT")')]


def test_a_property_of_an_unnamed_object_is_not_a_bare_wrapper(app: Path) -> None:
    write(app, {SRC + "routes/c.ts": '''import { secret } from "edgespark";
register({ secret: (k: string) => secret.get(k as any) });
export const label = secret("NOT_A_READ");
'''})
    assert [f for f in scan(app) if f.severity == "error"] == []


def test_reads_in_tests_and_mocks_are_not_runtime_reads(app: Path) -> None:
    write(app, {SRC + "routes/a.test.ts": 'import { secret } from "edgespark";\n'
                                         'it("x", () => secret.get("ONLY_IN_A_TEST"));\n',
                SRC + "__mocks__/edgespark.ts": 'export const secret = { get: (k: string) => k };\n'
                                                'secret.get("MOCKED");\n',
                SRC + "routes/real.ts": 'import { secret } from "edgespark";\n'
                                       'export const r = secret.get("NOT_DECLARED_REAL");\n'})
    errors = [(f.path, f.line) for f in scan(app) if f.severity == "error"]
    assert errors == [(SRC + "routes/real.ts", 2)]


def test_a_helper_reading_either_kind_accepts_both_and_still_finds_undeclared(app: Path) -> None:
    write(app, {SRC + "lib/either.ts": '''import { vars, secret } from "edgespark";
export function env(key: string, isSecret = false) {
  return isSecret ? secret.get(key as any) : vars.get(key as any);
}
''', SRC + "routes/e.ts": '''import { env } from "../lib/either";
export const e = [env("PUBLIC_APP_NAME"), env("OPENAI_API_KEY", true), env("NOWHERE")];
'''})
    found = scan(app)
    assert [(f.line, f.message) for f in found if f.severity == "error"] == [
        (2, 'env("NOWHERE") reads a var or secret that runtime.ts does not declare')]
    assert "OPENAI_API_KEY" not in " ".join(f.message for f in found)
