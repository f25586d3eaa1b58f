"""Import path aliases from a server's `tsconfig.json` (JSON with comments, as tsc reads it)."""

from __future__ import annotations

import json
import re
from pathlib import Path

# Strings are kept (group 1) so a `//` inside `"https://..."` survives comment removal.
_JSONC = re.compile(r'("(?:[^"\\\n]|\\.)*")|//[^\n]*|/\*(?:[^*]|\*(?!/))*\*/')
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")


def path_aliases(server_dir: Path) -> dict[str, Path]:
    """Import path aliases from the server's tsconfig.json `compilerOptions.paths`
    (`"@lib/*": ["./src/lib/*"]` -> {"@lib/": <server>/src/lib}); {} when unreadable."""
    config = server_dir / "tsconfig.json"
    try:
        text = config.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    try:
        data = json.loads(text)
    except ValueError:  # JSONC: drop comments and trailing commas, then try once more
        text = _JSONC.sub(lambda m: m.group(1) or "", text)
        try:
            data = json.loads(_TRAILING_COMMA.sub(r"\1", text))
        except ValueError:
            return {}
    options = data.get("compilerOptions") if isinstance(data, dict) else None
    if not isinstance(options, dict):
        return {}
    base = config.parent / str(options.get("baseUrl") or ".")
    # With a baseUrl, bare specifiers resolve from it too (`import x from "lib/env"`).
    found = {"": base.resolve()} if options.get("baseUrl") else {}
    paths = options.get("paths")
    for pattern, targets in (paths.items() if isinstance(paths, dict) else ()):
        if (isinstance(pattern, str) and pattern.endswith("/*") and isinstance(targets, list)
                and targets and isinstance(targets[0], str)):
            found[pattern[:-1]] = (base / targets[0].rstrip("*")).resolve()
    return found
