"""One content digest for cache keys (the source-facts cache, the CLI capability cache).

BLAKE2b from the small built-in `_blake2` module: importing `hashlib` loads OpenSSL, a few
milliseconds that every commit (a hook) and every gate would pay for a cache key.
"""

from __future__ import annotations


def digest(data: bytes) -> str:
    """The hex BLAKE2b-256 digest of `data`."""
    try:
        from _blake2 import blake2b
    except ImportError:  # pragma: no cover - an interpreter built without it
        from hashlib import blake2b
    return blake2b(data, digest_size=32).hexdigest()
