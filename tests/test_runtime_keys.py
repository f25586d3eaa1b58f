"""The runtime.ts parser and the server-code read scanner, on the shapes real apps use."""

from __future__ import annotations

import pytest

from edgespark_tasks.checks.jstokens import JsSyntaxError, tokenize
from edgespark_tasks.checks.runtime_keys import Read, RuntimeKeysError, find_reads, parse_runtime
from edgespark_tasks.errors import EdgesparkTasksError

TEMPLATE = '''// Names only. Don't put values here: "they'd leak".
/* block comment with a "quote" and an apostrophe's */
export type VarKey =
  | "PUBLIC_API_BASE_URL"
  // | "GOOGLE_CLIENT_ID"   (we'll add it later)
  | 'PAYMENT_PROVIDER'

export type SecretKey =
  // | "STRIPE_SECRET_KEY"  -- example, don't uncomment
  // | "OPENAI_API_KEY"
  never
'''


def test_parse_template_with_comments_quotes_and_never() -> None:
    keys = parse_runtime(TEMPLATE)
    assert keys.vars == {"PUBLIC_API_BASE_URL": 4, "PAYMENT_PROVIDER": 6}
    assert keys.secrets == {}
    assert keys.kind_of("PAYMENT_PROVIDER") == "var"
    assert keys.kind_of("GOOGLE_CLIENT_ID") is None


@pytest.mark.parametrize("text", [
    'export type VarKey = "A" | "B"; export type SecretKey = "S";',
    'type VarKey = | "A"\n| "B"\ntype SecretKey = ("S")',
    "export type VarKey = `A` | `B`\nexport type SecretKey =\n  | 'S';\n",
])
def test_parse_variants(text: str) -> None:
    keys = parse_runtime(text)
    assert set(keys.vars) == {"A", "B"}
    assert set(keys.secrets) == {"S"}


@pytest.mark.parametrize(("text", "line"), [
    ('export type VarKey = string;\nexport type SecretKey = never;', 1),
    ('export type VarKey = never;\nexport type SecretKey = "A" |', 2),
    ('export type VarKey = never;\nexport type SecretKey = "unterminated;', 2),
    ('export type VarKey = never;\n/* never closed', 2),
    ('export type VarKey = never;\nexport type VarKey = never;\nexport type SecretKey = never', 2),
])
def test_parse_errors_are_typed_and_located(text: str, line: int) -> None:
    with pytest.raises(RuntimeKeysError) as info:
        parse_runtime(text)
    assert info.value.line == line
    assert isinstance(info.value, EdgesparkTasksError)


def test_parse_missing_type_is_an_error_with_a_hint() -> None:
    with pytest.raises(RuntimeKeysError, match="SecretKey") as info:
        parse_runtime('export type VarKey = "A";')
    assert "never" in info.value.hint


SERVER = '''
import { Hono } from "hono";
import { db, vars, secret as sec } from "edgespark";
// secret.get("IN_A_COMMENT") and vars.get("ALSO_COMMENT") don't count
/**
 * @example
 *   const k = secret.get("JSDOC_EXAMPLE");
 */
const app = new Hono();
app.get("/api/x", async (c) => {
  const auth = c.req.header.get("AUTHORIZATION");
  const m = new Map(); m.get("MAP_KEY");
  const a = await sec.get("AWAITED");
  const b = sec.get("CAST" as any);
  const msg = `base ${vars.get('IN_TEMPLATE')} and ${`${sec.get("NESTED")}`}`;
  const s = "vars.get(\\"IN_STRING\\")";
  const r = /secret.get\\("IN_REGEX"\\)/.test(s);
  const v = vars.get(name);
  const t = vars.get(`PREFIX_${name}`);
  return c.json({ a, b, msg, r, v, t, auth });
});
export default app;
'''


def test_find_reads_handles_real_shapes() -> None:
    reads = find_reads(SERVER)
    assert [(r.kind, r.key) for r in reads if r.checkable] == [
        ("secret", "AWAITED"), ("secret", "CAST"), ("var", "IN_TEMPLATE"), ("secret", "NESTED"),
    ]
    assert [(r.kind, r.key, r.checkable) for r in reads if not r.checkable] == [
        ("var", None, False), ("var", None, False),
    ]
    lines = {r.key: r.line for r in reads}
    assert lines["AWAITED"] == 13
    assert lines["NESTED"] == 15


def test_find_reads_dynamic_import_forms() -> None:
    text = '''
export async function handler() {
  const { secret, vars: v } = await import("edgespark");
  const es = await import("edgespark");
  secret.get("ONE");
  v.get("TWO");
  es.secret.get("THREE");
  (await import("edgespark")).vars?.get("FOUR");
  const { secret: other } = require("edgespark");
  other.get("FIVE");
}
'''
    assert [(r.kind, r.key) for r in find_reads(text)] == [
        ("secret", "ONE"), ("var", "TWO"), ("secret", "THREE"), ("var", "FOUR"), ("secret", "FIVE"),
    ]


def test_find_reads_ignores_unbound_names_and_type_imports() -> None:
    text = '''
import type { VarKey } from "./defs";
const vars = new URLSearchParams(); // not edgespark's
vars.get("QUERY_PARAM");
headers.get("X_UPPER");
'''
    assert find_reads(text) == []


def test_wrappers_count_as_reads_but_definitions_do_not() -> None:
    text = '''
import { secret, vars } from "edgespark";
export function optionalSecret(key: SecretKey) { return secret.get(key); }
const requireVar = (k: VarKey) => vars.get(k)!;
class Env { optionalSecret(key: SecretKey): string | null { return null; } }
optionalSecret("STRIPE_KEY");
env.requireVar('BASE_URL');
'''
    reads = find_reads(text, {"optionalSecret": "secret", "requireVar": "var"})
    checkable = [(r.kind, r.key, r.via) for r in reads if r.checkable]
    assert checkable == [("secret", "STRIPE_KEY", "optionalSecret"),
                         ("var", "BASE_URL", "env.requireVar")]
    # The wrapper bodies pass their parameter on: wrapper layers, not reads.
    assert [r for r in reads if not r.checkable] == []
    # Without the setting, the two wrappers defined here are inferred; `env.requireVar` is
    # a method of some other object, so only the setting can vouch for it.
    assert [(r.key, r.via) for r in find_reads(text)] == [("STRIPE_KEY", "optionalSecret")]


def test_read_is_a_value_object() -> None:
    assert Read("var", "A", 1, True) == Read("var", "A", 1, True)


def test_tokenizer_strict_and_lenient() -> None:
    jsx = "const el = <p>don't panic</p>;\nvars.get('X')"
    assert any(t.value == "X" for t in tokenize(jsx))  # recovers after the stray apostrophe
    with pytest.raises(JsSyntaxError):
        tokenize("`open ${ template", strict=True)
    division = tokenize("a = b / c / d; e = /re/g")
    assert [t.kind for t in division].count("regex") == 1


def test_generic_and_async_helpers_are_wrappers_too() -> None:
    text = '''import { vars, secret } from "edgespark";
const typed = <K extends string>(key: K): string | null => vars.get(key as never);
export async function later<T>(name: string): Promise<T> { return secret.get(name as any) as T; }
typed("A_VAR");
await later("A_SECRET");
'''
    assert [(r.kind, r.key, r.via) for r in find_reads(text)] == [
        ("var", "A_VAR", "typed"), ("secret", "A_SECRET", "later")]


def test_a_helper_bound_with_a_type_annotation_keeps_its_name() -> None:
    text = '''import { secret } from "edgespark";
type Getter = (key: string) => string | null;
export const getKey: Getter = (key) => secret.get(key as any);
const other: { (k: string): string | null } = function (k) { return secret.get(k as any); };
getKey("ANNOTATED");
other("ANNOTATED_TOO");
'''
    assert [(r.key, r.via) for r in find_reads(text)] == [
        ("ANNOTATED", "getKey"), ("ANNOTATED_TOO", "other")]
