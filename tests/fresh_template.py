"""A project shaped like a fresh official `fullstack` template, written by hand for tests.

What such a project holds: `edgespark.toml` with project_id "REPLACED_ON_INIT" and
[server]/[web]; a db_schema.ts with only comments, imports and commented-out examples; no
drizzle/ folder; runtime.ts declaring `never`; `.env.example`; `web/.env.development` with
public VITE_ values; configs/auth-config.yaml with email/password only.
"""

from __future__ import annotations

from pathlib import Path

FILES = {
    "edgespark.toml": 'project_id = "REPLACED_ON_INIT"\n\n[server]\npath = "server"\n\n'
                      '[web]\npath = "web"\noutput_path = "web/dist"\n',
    ".gitignore": "node_modules/\n.edgespark/\n.env\n.env.local\n.env.*.local\ndist/\n",
    ".env.example": "# Copy to .env.local for local development.\n"
                    "# OPENAI_API_KEY=sk-your-key-here\nSTRIPE_SECRET_KEY=\n",
    "web/.env.development": "VITE_API_BASE_URL=http://localhost:7775\nVITE_APP_TITLE=My App\n",
    "web/package.json": '{ "name": "web", "private": true, "type": "module" }\n',
    "web/src/main.tsx": 'const root = document.getElementById("root");\n'
                        'if (root) root.textContent = import.meta.env.VITE_APP_TITLE;\n',
    "configs/auth-config.yaml": "disableSignUp: false\nproviderEmailPassword:\n  enabled: true\n"
                                "  config:\n    minPasswordLength: 8\n"
                                "providerGoogle:\n  enabled: false\n  config: {}\n",
    "server/package.json": '{ "name": "server", "private": true, "type": "module" }\n',
    "server/tsconfig.json": '{\n  // strict TypeScript for the Worker\n  "compilerOptions": '
                            '{ "strict": true, "paths": { "@/*": ["./src/*"] } },\n'
                            '  "include": ["src"],\n}\n',
    "server/src/index.ts": 'import { Hono } from "hono";\n\nconst app = new Hono();\n\n'
                           'app.get("/api/health", (c) => c.json({ ok: true }));\n\n'
                           "export default app;\n",
    "server/src/defs/db_schema.ts": (
        "// Define your database tables here, then run `edgespark db generate`.\n"
        'import { sqliteTable, text, integer } from "drizzle-orm/sqlite-core";\n\n'
        "// Example:\n"
        '// export const posts = sqliteTable("posts", {\n'
        '//   id: integer("id").primaryKey({ autoIncrement: true }),\n'
        '//   title: text("title").notNull(),\n'
        "// });\n"
        "/*\n"
        'export const comments = sqliteTable("comments", { id: integer("id") });\n'
        "*/\n"),
    "server/src/defs/db_relations.ts": "// Relations between your tables.\nexport {};\n",
    "server/src/defs/storage_schema.ts": "// Buckets this app owns.\nexport const buckets = {};\n",
    "server/src/defs/runtime.ts": "// Names of vars and secrets your server reads.\n"
                                  "export type VarKey = never;\n"
                                  "// export type SecretKey = \"OPENAI_API_KEY\";\n"
                                  "export type SecretKey = never;\n",
    "server/src/defs/index.ts": 'export * from "./db_schema";\nexport * from "./db_relations";\n'
                                'export * from "./storage_schema";\n',
}


def write_fresh_template(dest: Path) -> Path:
    """Write the template into `dest` (created); returns it."""
    for rel, text in FILES.items():
        path = dest / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return dest
