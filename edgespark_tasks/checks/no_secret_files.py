"""`no-secret-files`: no `.env*` or `.edgespark/` file in git, no credential in project files.

What counts is what git tracks or stages (a directory walk would miss a force-added file that
`.gitignore` hides). Values of secrets are typed by a person in the browser
(`edgespark secret set`), so any credential-looking literal in the repo is a leak.
"""

from __future__ import annotations

from pathlib import Path

from edgespark_tasks.checks import Check, CheckContext, under
from edgespark_tasks.checks.envfiles import SPECS, credential_lines, env_kind
from edgespark_tasks.checks.findings import Finding
from edgespark_tasks.checks.secret_scan import assignment_lines, token_lines
from edgespark_tasks.checks.sources import SOURCE_SUFFIXES, is_test_file, source_root
from edgespark_tasks.project import gitfiles
from edgespark_tasks.project.model import Project

ID = "no-secret-files"
MOVE = "remove it, rotate the credential, and store it with `edgespark secret set KEY`"


def _token_findings(rel: str, text: str) -> list[Finding]:
    return [Finding(ID, "error", rel, line, "credential-looking literal", MOVE)
            for line in token_lines(text)]


def _assignments(rel: str, text: str, *, skip_refs: bool) -> list[Finding]:
    """`name = value` / `name: value` lines holding a credential (toml, yaml, vars files).

    Judged by `credentials.looks_like_credential`, the same test `vars apply` uses.
    """
    skip = (lambda name: name.endswith("Ref")) if skip_refs else (lambda name: False)
    return [Finding(ID, "error", rel, line, f"{name} holds a value that looks like a secret",
                    MOVE) for line, name in assignment_lines(text, skip=skip)]


def _env_findings(ctx: CheckContext) -> list[Finding]:
    """Tracked `.env*` / `.edgespark/` files, judged by kind (see `envfiles`)."""
    root = ctx.project.root
    findings = []
    tracked, others = gitfiles.tracked_and_others(root, *SPECS)
    for path in tracked:
        kind, rel = env_kind(path), ctx.rel(path)
        if kind == "local":
            findings.append(Finding(ID, "error", rel, None, "local file is tracked by git",
                                    f"`git rm --cached {rel}` and keep it git-ignored"))
            continue
        if kind is None or kind == "encrypted" or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        leaks = [Finding(ID, "error", rel, line, f"{key} holds a value that looks like a real "
                         "credential", "replace it with a placeholder, rotate the credential, "
                         "and keep the real value in a git-ignored .env.local")
                 for line, key in credential_lines(text)]
        leaks += [Finding(ID, "error", rel, line, "credential-looking literal", MOVE)
                  for line in token_lines(text) if line not in {f.line for f in leaks}]
        findings += leaks
        if kind == "mode" and not leaks:
            findings.append(Finding(ID, "warning", rel, None, "env file is tracked by git: fine "
                                    "for public build-time values, never for secrets",
                                    "keep secrets in a git-ignored .env.local (or rename it "
                                    ".env.example if it only documents the keys)"))
    findings += [Finding(ID, "warning", ctx.rel(path), None, "local file is not git-ignored",
                         "add it to .gitignore so `git add -A` cannot commit it")
                 for path in others if env_kind(path) == "local"]
    return findings


def _vars_files(project: Project) -> list[Path]:
    pattern = project.vars_file_pattern
    base = project.vars_file(None)
    return sorted({base, *project.root.glob(pattern.format(environment="*"))})


def check(ctx: CheckContext) -> list[Finding]:
    """Tracked local-state and env files, then credential-looking literals in project files."""
    project = ctx.project
    findings = _env_findings(ctx)
    config_files = [(project.marker, False), (project.auth_config, True),
                    *((path, False) for path in _vars_files(project))]
    for path, skip_refs in config_files:
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            findings += _token_findings(ctx.rel(path), text)
            findings += _assignments(ctx.rel(path), text, skip_refs=skip_refs)
    for path, facts in ctx.sources.facts.items():
        rel = ctx.rel(path)
        findings += [Finding(ID, "error", rel, line, "credential-looking literal", MOVE)
                     for line in facts.secret_lines]
        if path != project.runtime and not is_test_file(path):  # fixtures sign with dummies
            findings += [Finding(ID, "error", rel, line, f"hard-coded secret passed as {name}",
                                 "read it with secret.get(\"KEY\") and store it with "
                                 "`edgespark secret set KEY`") for line, name in facts.code_secrets]
    if project.runtime.is_file() and not under(project.runtime, source_root(project)):
        findings += _token_findings(ctx.rel(project.runtime), project.runtime.read_text())
    return findings


def relevant(project: Project, path: Path) -> bool:
    """Local-state files, project config files, and server source files."""
    name = path.name
    if env_kind(path) is not None:
        return True
    if path in (project.marker, project.auth_config, project.runtime):
        return True
    if path.suffix in (".yaml", ".yml") and path.name.startswith("vars"):
        return True
    return under(path, source_root(project)) and name.endswith(SOURCE_SUFFIXES)


CHECK = Check(ID, check, relevant, "no .env / .edgespark files in git, no credential literals")
