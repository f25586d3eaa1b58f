"""Random and malformed input to the parsers: findings or one typed error, never a crash."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edgespark_tasks.checks.auth_config import auth_findings
from edgespark_tasks.checks.findings import Finding
from edgespark_tasks.checks.jstokens import tokenize
from edgespark_tasks.checks.migrations_journal import journal_findings
from edgespark_tasks.checks.runtime_keys import (
    RuntimeKeys,
    RuntimeKeysError,
    find_reads,
    parse_runtime,
)

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Pieces real files are made of, so random input often gets deep into the parsers.
TS_PIECES = st.sampled_from([
    "export", "type", "VarKey", "SecretKey", "=", "|", ";", "never", '"A"', "'B'", "`C`",
    "`${", "}", "//", "/*", "*/", "\n", " ", '"', "'", "(", ")", "vars", "secret", ".get(",
    "import", "{", "from", '"edgespark"', "await", "as any", "/re/", "\\",
    "function", "f", "(k)", "=>", "k", ",", "export", "default", "static", "class", "<T>",
    ":", "const", "f(", '"./m"', "* as", "ns.f(", "!", "as unknown as", "<any>",
])
YAML_PIECES = st.sampled_from([
    "providerGoogle:", "enabled: true", "enabled: false", "config:", "{}", "clientIdVarRef:",
    "GOOGLE_CLIENT_ID", "session:", "expiresIn: 1", "disableSignUp:", "yes", "- x", "\n",
    "  ", ":", "&a", "*a", "[", "]", "'", '"', "#", "---", "!!int", "? ", "\t",
])


@FAST
@given(st.one_of(st.text(), st.lists(TS_PIECES).map(" ".join)))
def test_runtime_parser_returns_keys_or_a_typed_error(text: str) -> None:
    try:
        keys = parse_runtime(text)
    except RuntimeKeysError as exc:
        assert exc.message
        assert exc.line is None or 1 <= exc.line <= text.count("\n") + 1
    else:
        assert isinstance(keys, RuntimeKeys)
        assert all(isinstance(line, int) for line in [*keys.vars.values(),
                                                      *keys.secrets.values()])


@FAST
@given(st.one_of(st.text(), st.lists(TS_PIECES).map("".join)))
def test_read_scanner_never_crashes(text: str) -> None:
    lines = text.count("\n") + 1
    for read in find_reads(text, {"optionalSecret": "secret"}):
        assert read.kind in ("var", "secret")
        assert 1 <= read.line <= lines
        assert read.checkable == (read.key is not None)
    assert all(1 <= tok.line <= lines for tok in tokenize(text))


@FAST
@given(st.one_of(st.text(), st.lists(YAML_PIECES).map(" ".join),
                 st.lists(YAML_PIECES).map("\n".join)))
def test_auth_config_gives_findings_never_an_exception(text: str) -> None:
    findings = auth_findings(text, "configs/auth-config.yaml")
    assert all(isinstance(f, Finding) and f.check == "auth-config" for f in findings)
    assert all(f.line is None or f.line >= 1 for f in findings)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner,
                                                                max_size=4),
    max_leaves=12,
)
ENTRY = st.fixed_dictionaries({}, optional={
    "idx": st.one_of(st.integers(-2, 5), st.text(max_size=3), st.booleans()),
    "tag": st.one_of(st.sampled_from(["0000_a", "0001_b", "0002_c", "x"]), JSON_VALUES),
    "when": st.one_of(st.integers(), st.text(max_size=3)),
})


@FAST
@given(st.one_of(
    st.text(),
    JSON_VALUES.map(json.dumps),
    st.lists(st.one_of(ENTRY, JSON_VALUES), max_size=5).map(lambda e: json.dumps({"entries": e})),
), st.sets(st.sampled_from(["0000_a", "0001_b", "0003_d"])))
def test_journal_gives_findings_never_an_exception(text: str, sql: set[str]) -> None:
    findings = journal_findings(text, "drizzle/meta/_journal.json", sql, {"0000_snapshot.json"})
    assert all(isinstance(f, Finding) and f.severity in ("error", "warning") for f in findings)


@FAST
@given(st.lists(st.lists(TS_PIECES).map(" ".join), min_size=1, max_size=3))
def test_cross_module_resolution_never_crashes(texts: list[str]) -> None:
    from pathlib import Path

    from edgespark_tasks.checks.key_resolve import ModuleGraph, resolve_reads
    from edgespark_tasks.checks.keyfacts import file_facts

    names = [Path("/src/a.ts"), Path("/src/m.ts"), Path("/src/lib/index.ts")]
    facts = {path: file_facts(text) for path, text in zip(names, texts, strict=False)}
    reads = resolve_reads(ModuleGraph(facts, Path("/src")), {"optionalSecret": "secret"})
    for path, text in zip(names, texts, strict=False):
        assert all(1 <= read.line <= text.count("\n") + 1 for read in reads[path])
