"""`shutil.which` for POSIX without importing shutil, which loads bz2, lzma and zlib: a few
milliseconds on every gate run. Windows (PATHEXT, the current folder) uses shutil itself."""

from __future__ import annotations

import os


def which(name: str, path: str | None = None) -> str | None:
    """The executable `name` would run, like shutil.which; None when there is none."""
    if os.name == "nt":
        import shutil

        return shutil.which(name, path=path)
    if os.path.dirname(name):  # a path: taken as it is
        return name if _executable(name) else None
    folders = path if path is not None else os.environ.get("PATH", os.defpath)
    for folder in folders.split(os.pathsep):
        candidate = os.path.join(folder or ".", name)
        if _executable(candidate):
            return candidate
    return None


def _executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)
