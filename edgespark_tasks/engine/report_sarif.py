"""Offline-check findings as a SARIF 2.1.0 log, for code scanning (`check --format sarif`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from edgespark_tasks import __version__
from edgespark_tasks.checks.findings import Finding
from edgespark_tasks.runner.redact import Redactor

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVELS = {"error": "error", "warning": "warning", "note": "note"}


def sarif_log(findings: Sequence[tuple[str, Finding]], redactor: Redactor) -> dict[str, Any]:
    """One run of the `edgespark-tasks` tool; `findings` are (repo-relative path, finding)."""
    from edgespark_tasks.checks import CHECK_IDS, load_check

    used = sorted({f.check for _, f in findings} | set(CHECK_IDS),
                  key=lambda c: (c not in CHECK_IDS, c))
    rules = []
    for check_id in used:
        summary = load_check(check_id).summary if check_id in CHECK_IDS else check_id
        rules.append({"id": check_id, "name": check_id,
                      "shortDescription": {"text": summary}})
    index = {rule["id"]: n for n, rule in enumerate(rules)}
    results = []
    for path, finding in findings:
        text = finding.message + (f" (fix: {finding.fix})" if finding.fix else "")
        location: dict[str, Any] = {"artifactLocation": {"uri": path, "uriBaseId": "%SRCROOT%"}}
        if finding.line is not None:
            location["region"] = {"startLine": finding.line}
        results.append({
            "ruleId": finding.check, "ruleIndex": index[finding.check],
            "level": _LEVELS[finding.severity], "message": {"text": redactor(text)},
            "locations": [{"physicalLocation": location}],
        })
    return {
        "$schema": SCHEMA, "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "edgespark-tasks", "version": __version__,
                                "rules": rules}},
            "originalUriBaseIds": {"%SRCROOT%": {"description": {
                "text": "the folder edgespark-tasks check ran in"}}},
            "results": results,
        }],
    }
