"""Which `.env*` files may be in git, and what each kind may hold.

- Templates (`.env.example`, `.env.sample`, `.env.template`, `.env.dist`, `.env.defaults`,
  also `.env.<mode>.example`): tracked on purpose with placeholder values. Allowed; a value
  that looks like a real credential is an error.
- Other `.env.<mode>` files (`web/.env.development` with public `VITE_*` build-time values):
  a credential-looking value is an error, anything else a warning, since a tracked env file
  is one edit away from holding a secret.
- `.env`, `.env.local`, `.env.<mode>.local` and anything under `.edgespark/`: local state,
  never in git (the CLI keeps its login and caches there; dotenv tools keep secrets in them).
  So is `.env.keys`, where dotenvx keeps the keys that decrypt the other files.
- `.env.vault` (dotenv-vault) holds only encrypted values and is meant to be committed; so are
  dotenvx `encrypted:...` values and `DOTENV_PUBLIC_KEY*` in any env file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from edgespark_tasks.checks.credentials import real_credential
from edgespark_tasks.checks.secret_scan import assignment_lines

EnvKind = Literal["local", "template", "mode", "encrypted"]
TEMPLATE_SUFFIXES = frozenset({"example", "sample", "template", "dist", "defaults", "tmpl",
                               "tpl"})
# git pathspecs of every file this module has an opinion on.
SPECS = (".env", ".env.*", "*/.env", "*/.env.*", ".edgespark/*", "*/.edgespark/*")


def env_kind(path: Path) -> EnvKind | None:
    """The kind of a `.env*` / `.edgespark/` path, or None for any other file."""
    if ".edgespark" in path.parts[:-1]:
        return "local"
    name = path.name
    if name == ".env":
        return "local"
    if not name.startswith(".env."):
        return None
    parts = name.split(".")[2:]
    if parts == ["vault"]:
        return "encrypted"
    if parts == ["keys"]:
        return "local"
    if parts[-1] in TEMPLATE_SUFFIXES:
        return "template"
    if parts[-1] == "local":
        return "local"
    return "mode"


def credential_lines(text: str) -> list[tuple[int, str]]:
    """(line, KEY) of values that look like real credentials (placeholders and public
    build-time values excluded); the value itself is never returned."""
    return assignment_lines(text, _real, skip=lambda name: name.startswith("DOTENV_PUBLIC_KEY"))


def _real(value: str, name: str) -> bool:
    return not value.startswith("encrypted:") and real_credential(value, name)
