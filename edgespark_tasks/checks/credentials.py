"""Does a string look like a credential? Shared by vars-apply and the offline checks.

Every pattern here runs in linear time: scanners see whatever a repository holds, including
minified or generated lines tens of kilobytes long.
"""

from __future__ import annotations

import math
import re
from collections import Counter

# A PEM private key counts only with a key body after the header: the header alone appears in
# code that strips it (`pem.replace("-----BEGIN PRIVATE KEY-----", "")`). The body may follow
# real newlines, `\n` escapes, quotes or a `+` (a key split over concatenated strings).
PEM_KEY = r"-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----(?:\\[nr]|[\s\"'`+])*[A-Za-z0-9+/]{40}"
# Keys only a server may hold. Publishable keys (`pk_live_...`) are public by design.
_SECRET_SHAPES = re.compile(
    r"^(sk|rk)_(live|test)_[A-Za-z0-9]{8,}"
    r"|^(sk-|sk_|xox[abprs]-|gh[pousr]_|github_pat_|glpat-|AKIA|ASIA|GOCSPX-)[A-Za-z0-9_\-]{8,}"
    r"|" + PEM_KEY
)
# Keys that are secret on a server but routinely shipped to browsers (Google browser keys,
# anon JWTs): a credential in a server-side value, not in a public build-time variable.
_BROWSER_SHAPES = re.compile(
    r"^(AIza|ya29\.)[A-Za-z0-9_\-]{8,}|^eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.")
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9_\-+/=]+")
_NAME_HINT = re.compile(r"(SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE|API_?KEY|CREDENTIAL)", re.I)
# Words and shapes of documentation placeholders: no real key contains them.
_PLACEHOLDER = re.compile(
    r"your|example|placeholder|change.?me|replace|dummy|fake|sample|insert|todo|redacted"
    r"|x{4,}|\*{3,}|\.{3}|<|>|\{\{|\$\{", re.I)
# Prefixes of build-time variables that bundlers ship to the browser: public by definition.
PUBLIC_PREFIXES = ("VITE_", "NEXT_PUBLIC_", "PUBLIC_", "REACT_APP_", "EXPO_PUBLIC_",
                   "NUXT_PUBLIC_", "GATSBY_", "VUE_APP_")


def _entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def is_placeholder(value: str) -> bool:
    """True for documentation stand-ins such as `your-key-here`, `sk_test_xxxx`, `<token>`."""
    stripped = value.strip()
    if len(set(stripped)) <= 3:  # `aaaa`, `0000`, `----`
        return True
    return _PLACEHOLDER.search(stripped) is not None


def looks_like_credential(value: str, name: str = "") -> bool:
    """True for values shaped like API keys, tokens or private keys.

    A long random-looking token also counts, and so does any non-trivial value under a name
    like `*_SECRET` or `*_TOKEN`.
    """
    value = value.strip()
    if _SECRET_SHAPES.search(value) or _BROWSER_SHAPES.search(value):
        return True
    if name and _NAME_HINT.search(name) and len(value) >= 8 and " " not in value:
        return True
    return _random_token(value)


def _random_token(value: str) -> bool:
    # Random tokens are long runs of base64/hex characters (no dots, unlike host names).
    return (len(value) >= 24 and _TOKEN_CHARS.fullmatch(value) is not None
            and _entropy(value) > 4.0 and any(c.isdigit() for c in value)
            and any(c.isalpha() for c in value))


def real_credential(value: str, name: str = "") -> bool:
    """The stricter test for files that hold placeholders on purpose (`.env.example`) or
    public build-time values (`web/.env.development`): a known secret key shape, or a long
    random token under a non-public name; never a placeholder or a publishable key."""
    value = value.strip().strip("\"'")
    if not value or is_placeholder(value):
        return False
    if _SECRET_SHAPES.search(value):
        return True
    if name.upper().startswith(PUBLIC_PREFIXES):
        return False
    return _BROWSER_SHAPES.search(value) is not None or _random_token(value)
