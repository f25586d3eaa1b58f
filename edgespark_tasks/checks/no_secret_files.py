"""`no-secret-files`: no `.env*` or `.edgespark/` file in git, no credential in project files.

What counts is what git tracks or stages (a directory walk would miss a force-added file that
`.gitignore` hides). Values of secrets are typed by a person in the browser
(`edgespark secret set`), so any credential-looking literal in the repo is a leak.
"""

from __future__ import annotations

import re
from pathlib import Path

from edgespark_tasks.checks import Check, CheckContext, under
from edgespark_tasks.checks.credentials import looks_like_credential
from edgespark_tasks.checks.findings import Finding
from edgespark_tasks.checks.jstokens import tokenize
from edgespark_tasks.checks.runtime_key_reads import SOURCE_SUFFIXES, source_files, source_root
from edgespark_tasks.project import gitfiles
from edgespark_tasks.project.model import Project

ID = "no-secret-files"
_LOCAL_SPECS = (".env", ".env.*", "*/.env", "*/.env.*", ".edgespark/*", "*/.edgespark/*")
TOKEN = re.compile(
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----|\b[sr]k_(?:live|test)_[0-9A-Za-z]{10,}"
    r"|\bgh[pousr]_[A-Za-z0-9]{30,}|\bgithub_pat_\w{30,}|\bxox[abprs]-[A-Za-z0-9-]{10,}"
    r"|\bAKIA[0-9A-Z]{16}\b|\bAIza[0-9A-Za-z_-]{35}|\bsk-(?:proj-)?[A-Za-z0-9_-]{20,}"
    r"|\bGOCSPX-[A-Za-z0-9_-]{20,}|\beyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]{10,}"
)
_CODE_SECRET_NAME = re.compile(r"(?i)(secret|password|passwd|private_?key|api_?key"
                               r"|signing_?key)$")
_KEY_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
# project_id is a UUID: random-looking, but not a credential.
_UUID = re.compile(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")
_ASSIGN = re.compile(r"""^\s*["']?([\w.-]+)["']?\s*[:=]\s*["']?([^"'#\s][^"'#]*?)["']?\s*$""")
MOVE = "remove it, rotate the credential, and store it with `edgespark secret set KEY`"


def _token_findings(rel: str, text: str) -> list[Finding]:
    return [Finding(ID, "error", rel, text.count("\n", 0, m.start()) + 1,
                    "credential-looking literal", MOVE) for m in TOKEN.finditer(text)]


def _assignments(rel: str, text: str, *, skip_refs: bool) -> list[Finding]:
    """`name = value` / `name: value` lines holding a credential (toml, yaml, vars files).

    Judged by `credentials.looks_like_credential`, the same test `vars apply` uses.
    """
    findings = []
    for number, line in enumerate(text.splitlines(), 1):
        m = _ASSIGN.match(line)
        if not m or (skip_refs and m.group(1).endswith("Ref")):
            continue
        value = m.group(2).strip()
        if _UUID.fullmatch(value) or not looks_like_credential(value, m.group(1)):
            continue
        findings.append(Finding(ID, "error", rel, number, f"{m.group(1)} holds a value that "
                                "looks like a secret", MOVE))
    return findings


def _code_findings(rel: str, text: str) -> list[Finding]:
    """Hard-coded signing secrets: `jwtSecret = "..."`, `{ secret: "..." }`, `sign(p, "...")`."""
    tokens = tokenize(text)
    findings = []
    for i, tok in enumerate(tokens[:-2]):
        if tok.kind != "name":
            continue
        value = None
        if _CODE_SECRET_NAME.search(tok.value) and tokens[i + 1].value in (":", "="):
            value = tokens[i + 2]
        elif tok.value in ("sign", "verify") and tokens[i + 1].value == "(":
            commas = [j for j in range(i + 2, min(i + 40, len(tokens)))
                      if tokens[j].kind == "punct" and tokens[j].value in (",", ")")]
            value = tokens[commas[0] + 1] if commas and tokens[commas[0]].value == "," \
                and commas[0] + 1 < len(tokens) else None
        if value is None or value.kind not in ("string", "template"):
            continue
        literal = value.value
        if len(literal) >= 8 and not re.search(r"\s", literal) and not _KEY_NAME.fullmatch(literal):
            findings.append(Finding(ID, "error", rel, value.line, f"hard-coded secret passed as "
                                    f"{tok.value}", "read it with secret.get(\"KEY\") and store "
                                    "it with `edgespark secret set KEY`"))
    return findings


def _vars_files(project: Project) -> list[Path]:
    pattern = project.vars_file_pattern
    base = project.vars_file(None)
    return sorted({base, *project.root.glob(pattern.format(environment="*"))})


def check(ctx: CheckContext) -> list[Finding]:
    """Tracked local-state files, then credential-looking literals in project files."""
    project = ctx.project
    findings = [Finding(ID, "error", ctx.rel(path), None, "local file is tracked by git",
                        f"`git rm --cached {ctx.rel(path)}` and keep it git-ignored")
                for path in gitfiles.list_files(project.root, *_LOCAL_SPECS)]
    findings += [Finding(ID, "warning", ctx.rel(path), None, "local file is not git-ignored",
                         "add it to .gitignore so `git add -A` cannot commit it")
                 for path in gitfiles.list_files(project.root, *_LOCAL_SPECS, others=True)]
    config_files = [(project.marker, False), (project.auth_config, True),
                    *((path, False) for path in _vars_files(project))]
    for path, skip_refs in config_files:
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            findings += _token_findings(ctx.rel(path), text)
            findings += _assignments(ctx.rel(path), text, skip_refs=skip_refs)
    for path in source_files(project):
        text = path.read_text(encoding="utf-8", errors="replace")
        findings += _token_findings(ctx.rel(path), text)
        if path != project.runtime:
            findings += _code_findings(ctx.rel(path), text)
    if project.runtime.is_file() and not under(project.runtime, source_root(project)):
        findings += _token_findings(ctx.rel(project.runtime), project.runtime.read_text())
    return findings


def relevant(project: Project, path: Path) -> bool:
    """Local-state files, project config files, and server source files."""
    name = path.name
    if name == ".env" or name.startswith(".env.") or ".edgespark" in path.parts:
        return True
    if path in (project.marker, project.auth_config, project.runtime):
        return True
    if path.suffix in (".yaml", ".yml") and path.name.startswith("vars"):
        return True
    return under(path, source_root(project)) and name.endswith(SOURCE_SUFFIXES)


CHECK = Check(ID, check, relevant, "no .env / .edgespark files in git, no credential literals")
