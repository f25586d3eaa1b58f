"""Does a string look like a credential? Shared by vars-apply and the offline checks."""

from __future__ import annotations

import math
import re
from collections import Counter

# Well-known key shapes: provider prefixes, JWTs, PEM blocks, long hex/base64 runs.
_SHAPES = re.compile(
    r"^(sk|pk|rk)_(live|test)_[A-Za-z0-9]{8,}"
    r"|^(sk-|sk_|xox[abprs]-|gh[pousr]_|github_pat_|glpat-|AKIA|ASIA|AIza|ya29\.)[A-Za-z0-9_\-]{8,}"
    r"|^eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\."
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----"
)
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9_\-+/=]+")
_NAME_HINT = re.compile(r"(SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE|API_?KEY|CREDENTIAL)", re.I)


def _entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def looks_like_credential(value: str, name: str = "") -> bool:
    """True for values shaped like API keys, tokens or private keys.

    A long random-looking token also counts, and so does any non-trivial value under a name
    like `*_SECRET` or `*_TOKEN`.
    """
    value = value.strip()
    if _SHAPES.search(value):
        return True
    if name and _NAME_HINT.search(name) and len(value) >= 8 and " " not in value:
        return True
    # Random tokens are long runs of base64/hex characters (no dots, unlike host names).
    return (len(value) >= 24 and _TOKEN_CHARS.fullmatch(value) is not None
            and _entropy(value) > 4.0 and any(c.isdigit() for c in value)
            and any(c.isalpha() for c in value))
