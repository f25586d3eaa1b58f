import { relations } from "drizzle-orm";
import { notes, tags } from "./db_schema";

export const notesRelations = relations(notes, ({ many }) => ({
  tags: many(tags),
}));

export const tagsRelations = relations(tags, ({ one }) => ({
  note: one(notes, { fields: [tags.noteId], references: [notes.id] }),
}));
