import { Hono } from "hono";
import { db, vars, secret } from "edgespark";
import { notes } from "./defs";

const app = new Hono();

app.get("/api/health", (c) => c.json({ ok: true, app: vars.get("PUBLIC_APP_NAME") }));

app.get("/api/notes", async (c) => {
  const limit = Number(vars.get("MAX_NOTES_PER_USER") ?? "100");
  const rows = await db.select().from(notes).limit(limit);
  return c.json(rows);
});

app.post("/api/notes/:id/summary", async (c) => {
  const key = secret.get("OPENAI_API_KEY");
  if (!key) return c.json({ error: "summaries are not configured" }, 503);
  return c.json({ summary: `summary for note ${c.req.param("id")}` });
});

export default app;
