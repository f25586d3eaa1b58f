"""The var/secret names that auth-config.yaml's OAuth providers refer to."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

PROVIDERS = {
    "providerGoogle": "GOOGLE",
    "providerGithub": "GITHUB",
    "providerGitlab": "GITLAB",
    "providerDiscord": "DISCORD",
    "providerApple": "APPLE",
    "providerMicrosoft": "MICROSOFT",
}


@dataclass(frozen=True)
class OAuthRef:
    """One `clientIdVarRef` (kind var) or `clientSecretRef` (kind secret) of a provider."""

    provider: str
    kind: str
    name: str
    enabled: bool


def oauth_refs(path: Path) -> list[OAuthRef]:
    """Refs of every provider in the auth config; empty when the file is absent or unreadable
    (the auth-config check reports unreadable files with line numbers)."""
    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError):
        return []
    if not isinstance(data, dict):
        return []
    refs = []
    for key in PROVIDERS:
        provider = data.get(key)
        if not isinstance(provider, dict):
            continue
        config = provider.get("config") or {}
        enabled = provider.get("enabled") is True
        if not isinstance(config, dict):
            continue
        for field, kind in (("clientIdVarRef", "var"), ("clientSecretRef", "secret")):
            name = config.get(field)
            if isinstance(name, str) and name:
                refs.append(OAuthRef(key, kind, name, enabled))
    return refs
