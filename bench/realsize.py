"""Generate a real-size full-stack EdgeSpark app for the benchmarks.

    python bench/realsize.py DEST [--server-files 72] [--migrations 24] [--git]

The app is shaped like the public apps the hooks must stay fast on: 70+ server modules and
7,000+ lines of TypeScript with comments, template literals, regex literals and JSX-free Hono
routes; 20+ migrations whose journal, snapshots and schema hash agree; runtime keys read both
directly and through helpers exported from one module (`optionalSecret`, `hasVar`, `varOr`,
a helper calling another helper) and imported in others. It passes every offline check with
no finding, so a benchmark on it measures the happy path.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import uuid
from pathlib import Path

VARS = ["PUBLIC_APP_NAME", "MAX_PAGE_SIZE", "DEFAULT_LOCALE", "SUPPORT_EMAIL", "FEATURE_SEARCH",
        "FEATURE_EXPORTS", "CDN_BASE_URL", "GOOGLE_CLIENT_ID", "RATE_LIMIT_PER_MINUTE",
        "WEBHOOK_TIMEOUT_MS"]
SECRETS = ["GOOGLE_CLIENT_SECRET", "OPENAI_API_KEY", "STRIPE_SECRET_KEY", "RESEND_API_KEY",
           "WEBHOOK_SIGNING_SECRET", "SENTRY_AUTH_TOKEN"]
VAR_VALUES = {"PUBLIC_APP_NAME": "Field Notes", "MAX_PAGE_SIZE": '"100"', "DEFAULT_LOCALE": "en",
              "SUPPORT_EMAIL": "help@example.com", "FEATURE_SEARCH": '"true"',
              "FEATURE_EXPORTS": '"false"', "CDN_BASE_URL": "https://cdn.example.com",
              "GOOGLE_CLIENT_ID": "1234567890-fieldnotes.apps.googleusercontent.com",
              "RATE_LIMIT_PER_MINUTE": '"120"', "WEBHOOK_TIMEOUT_MS": '"5000"'}
WORDS = ["notes", "tags", "projects", "tasks", "comments", "invoices", "customers", "orders",
         "products", "reviews", "teams", "members", "invites", "files", "folders", "events",
         "reminders", "reports", "exports", "webhooks", "plans", "coupons", "audits", "sessions"]

ENV_TS = '''// Runtime-key helpers shared by every route. The casts keep call sites short; the
// runtime-keys hook checks the literal keys passed to these helpers against runtime.ts.
import { vars, secret } from "edgespark";

export function optionalSecret(key: string): string | undefined {
  return secret.get(key as any) ?? undefined;
}

export const hasVar = (k: string) => Boolean(vars.get(k as any));

export const varOr = function (name: string, fallback: string): string {
  return vars.get(name as any) ?? fallback;
};

/** A feature flag is on when its var holds "true" (helpers may call helpers). */
export function flagOn(name: string): boolean {
  return hasVar(name) && varOr(name, "false") === "true";
}

export function requireSecret(key: string): string {
  const value = optionalSecret(key);
  if (!value) throw new Error(`secret ${key} is not set`);
  return value;
}
'''

LOG_TS = '''// Structured logging: one JSON line per event, so log tails stay greppable.
export type Level = "debug" | "info" | "warn" | "error";

export function log(level: Level, message: string, fields: Record<string, unknown> = {}) {
  const line = JSON.stringify({ level, message, at: new Date().toISOString(), ...fields });
  if (level === "error") console.error(line);
  else console.log(line);
}
'''


def _route(i: int, word: str, table: str) -> str:
    """One route module of ~100 lines: CRUD handlers, paging, slugs, helper and direct reads."""
    var, var2 = VARS[i % len(VARS)], VARS[(i + 3) % len(VARS)]
    sec = SECRETS[i % len(SECRETS)]
    name = f"{word}{i}"
    return f'''// Routes for {word} (module {i}): list, read, create, update and delete.
// Handlers validate input by hand and log through `log`; see lib/env.ts for key helpers.
import {{ Hono }} from "hono";
import {{ db, vars, secret }} from "edgespark";
import {{ eq, desc }} from "drizzle-orm";
import {{ {table} }} from "../defs";
import {{ optionalSecret, hasVar, varOr, flagOn }} from "../lib/env";
import {{ log }} from "../lib/log";

export const {name}Routes = new Hono();

const SLUG = /^[a-z0-9][a-z0-9-]{{0,62}}$/i;

/* Page size for list endpoints; MAX_PAGE_SIZE caps what a client may ask for. */
function pageSize(requested: string | undefined): number {{
  const cap = Number(vars.get("MAX_PAGE_SIZE") ?? "100");
  const n = Number(requested ?? "20");
  return Number.isFinite(n) && n > 0 ? Math.min(n, cap) : 20;
}}

function link(id: number | string): string {{
  const base = varOr("{var}", "");
  return `${{base}}/api/{word}/${{encodeURIComponent(String(id))}}`;
}}

{name}Routes.get("/api/{word}", async (c) => {{
  const limit = pageSize(c.req.query("limit"));
  const offset = Number(c.req.query("offset") ?? "0") / 1;
  const rows = await db.select().from({table}).orderBy(desc({table}.id))
    .limit(limit).offset(offset);
  log("debug", `listed ${{rows.length}} {word}`, {{ limit, offset }});
  return c.json({{ items: rows.map((r) => ({{ ...r, href: link(r.id) }})), next: offset + limit }});
}});

{name}Routes.get("/api/{word}/:id", async (c) => {{
  const id = Number(c.req.param("id"));
  if (!Number.isInteger(id)) return c.json({{ error: "id must be an integer" }}, 400);
  const [row] = await db.select().from({table}).where(eq({table}.id, id));
  return row ? c.json(row) : c.json({{ error: `no {word} ${{id}}` }}, 404);
}});

{name}Routes.post("/api/{word}", async (c) => {{
  const body = await c.req.json<{{ title?: string; slug?: string }}>();
  if (!body.title) return c.json({{ error: "title is required" }}, 400);
  if (body.slug && !SLUG.test(body.slug)) {{
    return c.json({{ error: `slug "${{body.slug}}" may hold letters, digits and dashes` }}, 400);
  }}
  const [row] = await db.insert({table}).values({{ title: body.title, createdAt: new Date() }})
    .returning();
  log("info", "created", {{ id: row.id, area: "{word}" }});
  return c.json({{ ...row, href: link(row.id) }}, 201);
}});

{name}Routes.patch("/api/{word}/:id", async (c) => {{
  const id = Number(c.req.param("id"));
  const body = await c.req.json<{{ title?: string }}>();
  // An empty patch is a no-op, not an error: clients send it to refresh `updatedAt`.
  const [row] = await db.update({table}).set({{ title: body.title }}).where(eq({table}.id, id))
    .returning();
  return row ? c.json(row) : c.json({{ error: `no {word} ${{id}}` }}, 404);
}});

{name}Routes.delete("/api/{word}/:id", async (c) => {{
  const id = Number(c.req.param("id"));
  await db.delete({table}).where(eq({table}.id, id));
  log("warn", `deleted {word} ${{id}}`);
  return c.body(null, 204);
}});

{name}Routes.post("/api/{word}/:id/notify", async (c) => {{
  const key = optionalSecret("{sec}");
  if (!key) return c.json({{ error: "notifications are not configured" }}, 503);
  const timeout = Number(varOr("WEBHOOK_TIMEOUT_MS", "5000"));
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeout);
  try {{
    const res = await fetch(`${{varOr("CDN_BASE_URL", "")}}/hooks/{word}`, {{
      method: "POST",
      headers: {{ authorization: `Bearer ${{key}}`, "content-type": "application/json" }},
      body: JSON.stringify({{ id: c.req.param("id"), at: Date.now() }}),
      signal: controller.signal,
    }});
    return c.json({{ delivered: res.ok, status: res.status }});
  }} finally {{
    clearTimeout(timer);
  }}
}});

{name}Routes.get("/api/{word}/search", async (c) => {{
  if (!flagOn("FEATURE_SEARCH")) return c.json({{ error: "search is off" }}, 404);
  const q = (c.req.query("q") ?? "").trim().toLowerCase();
  const rows = await db.select().from({table}).limit(pageSize(undefined));
  const hits = rows.filter((r) => String(r.title).toLowerCase().includes(q));
  const ratio = rows.length ? hits.length / rows.length : 0;
  return c.json({{ q, hits, total: hits.length, ratio }});
}});

{name}Routes.get("/api/{word}/meta", (c) => {{
  const enabled = hasVar("{var2}");
  const signed = Boolean(secret.get("{sec}"));
  return c.json({{
    app: vars.get("PUBLIC_APP_NAME"),
    locale: varOr("DEFAULT_LOCALE", "en"),
    enabled,
    signed,
    note: `{word} module {i} of the field notes app`,
  }});
}});
'''


def _schema(tables: list[str]) -> str:
    parts = ['import { sqliteTable, text, integer } from "drizzle-orm/sqlite-core";\n']
    for t in tables:
        parts.append(f'''
// {t}: one row per item; titles are user-visible, slugs are unique per owner.
export const {t} = sqliteTable("{t}", {{
  id: integer("id").primaryKey({{ autoIncrement: true }}),
  ownerId: text("owner_id").notNull(),
  title: text("title").notNull(),
  slug: text("slug"),
  createdAt: integer("created_at", {{ mode: "timestamp" }}).notNull(),
}});
''')
    return "".join(parts)


def _migrations(drizzle: Path, tables: list[str]) -> None:
    meta = drizzle / "meta"
    meta.mkdir(parents=True)
    entries, prev = [], "00000000-0000-0000-0000-000000000000"
    for idx, table in enumerate(tables):
        tag = f"{idx:04d}_create_{table}"
        (drizzle / f"{tag}.sql").write_text(
            f"CREATE TABLE `{table}` (\n\t`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,\n"
            f"\t`owner_id` text NOT NULL,\n\t`title` text NOT NULL,\n\t`slug` text,\n"
            f"\t`created_at` integer NOT NULL\n);\n")
        snap_id = str(uuid.UUID(int=idx + 1))
        cols = {c: {"name": c, "type": ty, "primaryKey": c == "id", "notNull": c != "slug",
                    "autoincrement": c == "id"}
                for c, ty in (("id", "integer"), ("owner_id", "text"), ("title", "text"),
                              ("slug", "text"), ("created_at", "integer"))}
        snapshot = {"version": "6", "dialect": "sqlite", "id": snap_id, "prevId": prev,
                    "tables": {t: {"name": t, "columns": cols, "indexes": {},
                                   "foreignKeys": {}, "compositePrimaryKeys": {},
                                   "uniqueConstraints": {}} for t in tables[:idx + 1]},
                    "enums": {}}
        (meta / f"{idx:04d}_snapshot.json").write_text(json.dumps(snapshot, indent=2) + "\n")
        entries.append({"idx": idx, "version": "6", "when": 1_730_000_000_000 + idx * 86_400_000,
                        "tag": tag, "breakpoints": True})
        prev = snap_id
    journal = {"version": "7", "dialect": "sqlite", "entries": entries}
    (meta / "_journal.json").write_text(json.dumps(journal, indent=2) + "\n")


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def make_app(dest: Path, *, server_files: int = 72, migrations: int = 24,
             git: bool = False) -> Path:
    """Write the app into `dest` (created; must be empty or absent); returns the project root.

    `server_files` counts the modules under server/src (routes + lib + defs + index);
    `git` makes it a repository with everything committed on `main`.
    """
    dest.mkdir(parents=True, exist_ok=True)
    tables = [WORDS[i % len(WORDS)] + ("" if i < len(WORDS) else str(i))
              for i in range(migrations)]
    n_routes = max(1, server_files - 8)  # defs (5) + lib (2) + index.ts
    routes = {f"server/src/routes/{WORDS[i % len(WORDS)]}{i}.ts":
              _route(i, WORDS[i % len(WORDS)], tables[i % len(tables)]) for i in range(n_routes)}
    imports = "".join(f'import {{ {Path(r).stem}Routes }} from "./routes/{Path(r).stem}";\n'
                      for r in routes)
    mounts = "".join(f'app.route("/", {Path(r).stem}Routes);\n' for r in routes)
    schema = _schema(tables)
    union = lambda keys: "".join(f'\n  | "{k}"' for k in keys)  # noqa: E731
    toml = (f'project_id = "{uuid.uuid5(uuid.NAMESPACE_URL, str(dest))}"\nname = "field-notes"'
            '\n\n[server]\npath = "server"\n\n[web]\npath = "web"\noutput_path = "web/dist"\n'
            '\n[db]\nmigration_branch = "main"\n')
    _write(dest, {
        "edgespark.toml": toml,
        ".gitignore": "node_modules/\n.edgespark/\n.edgespark-tasks/\n.env\n.env.local\n"
                      ".env.*.local\ndist/\nweb/dist/\n",
        ".env.example": "# Copy to .env.local for `edgespark dev`; real values never go here.\n"
                        "OPENAI_API_KEY=sk-your-key-here\nSTRIPE_SECRET_KEY=\n",
        "configs/vars.yaml": "# Var values applied by `inv vars.apply`.\n"
                             + "".join(f"{k}: {VAR_VALUES[k]}\n" for k in VARS),
        "configs/auth-config.yaml": "disableSignUp: false\nproviderEmailPassword:\n  enabled: true"
                                    "\n  config:\n    minPasswordLength: 10\nproviderGoogle:\n"
                                    "  enabled: true\n  config:\n    clientIdVarRef: "
                                    "GOOGLE_CLIENT_ID\n    clientSecretRef: GOOGLE_CLIENT_SECRET\n",
        "server/package.json": json.dumps({"name": "field-notes-server", "private": True,
                                           "type": "module"}, indent=2) + "\n",
        "server/tsconfig.json": '{ "compilerOptions": { "strict": true }, "include": ["src"] }\n',
        "server/src/defs/runtime.ts": "// Runtime keys this app reads (names only, never "
                                      f"values).\nexport type VarKey ={union(VARS)};\n\n"
                                      f"export type SecretKey ={union(SECRETS)};\n",
        "server/src/defs/db_schema.ts": schema,
        "server/src/defs/db_relations.ts": "// No relations yet: every table stands alone.\n"
                                           "export {};\n",
        "server/src/defs/storage_schema.ts": "export const buckets = { files: { public: false } }"
                                             " as const;\n",
        "server/src/defs/index.ts": 'export * from "./db_schema";\nexport * from "./db_relations";'
                                    '\nexport * from "./storage_schema";\n',
        "server/src/lib/env.ts": ENV_TS,
        "server/src/lib/log.ts": LOG_TS,
        "server/src/index.ts": f'import {{ Hono }} from "hono";\n{imports}\n'
                               f'const app = new Hono();\n\n{mounts}\nexport default app;\n',
        "server/src/__generated__/server-types.d.ts": "// Generated by `edgespark pull types`.\n"
                                                       "export type Env = {};\n",
        "server/src/__generated__/.checksums.json": json.dumps(
            {"server_types": "sha256-" + hashlib.sha256(b"server-types").hexdigest()}) + "\n",
        "web/package.json": '{ "name": "field-notes-web", "private": true, "type": "module" }\n',
        "web/index.html": '<!doctype html><div id="app"></div><script type="module" '
                          'src="/src/main.ts"></script>\n',
        "web/src/main.ts": 'const app = document.getElementById("app");\n'
                           'if (app) app.textContent = `${document.title} is loading`;\n',
        **routes,
    })
    _migrations(dest / "server" / "drizzle", tables)
    digest = hashlib.sha256(schema.encode()).hexdigest()
    (dest / "server/drizzle/meta/_edgespark_schema_hash").write_text(digest + "\n")
    if git:
        _git(dest)
    return dest


def _git(root: Path) -> None:
    env = ["-c", "user.name=Bench", "-c", "user.email=bench@example.com",
           "-c", "commit.gpgsign=false"]
    for args in (["init", "-q", "-b", "main"], ["add", "-A"],
                 ["commit", "-q", "-m", "real-size app"]):
        subprocess.run(["git", *env, *args], cwd=root, check=True, capture_output=True)


def describe(root: Path) -> str:
    """The app's size as the README quotes it: server files, lines of TS, migrations."""
    ts = list((root / "server" / "src").rglob("*.ts"))
    lines = sum(p.read_text().count("\n") for p in ts)
    migrations = len(list((root / "server" / "drizzle").glob("[0-9][0-9][0-9][0-9]_*.sql")))
    return f"{len(ts)} server files, {lines} lines of TS, {migrations} migrations"


def main(argv: list[str] | None = None) -> int:
    """CLI: write the app and print its size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("--server-files", type=int, default=72)
    parser.add_argument("--migrations", type=int, default=24)
    parser.add_argument("--git", action="store_true", help="make it a committed git repository")
    args = parser.parse_args(argv)
    if args.dest.exists() and any(args.dest.iterdir()):
        print(f"realsize: {args.dest} is not empty; pass a new folder", file=sys.stderr)
        return 2
    root = make_app(args.dest, server_files=args.server_files, migrations=args.migrations,
                    git=args.git)
    print(f"{root}: {describe(root)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
