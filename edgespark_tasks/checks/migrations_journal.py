"""`migrations-journal`: the journal, the `.sql` files and the snapshots tell the same story.

Drizzle applies exactly the migrations listed in `meta/_journal.json`, in `idx` order, and
the remote database remembers each applied file's hash, so a migration already on the default
branch must never be edited or deleted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from pathlib import Path
from typing import Any

from edgespark_tasks.checks import Check, CheckContext, under
from edgespark_tasks.checks.findings import Finding
from edgespark_tasks.project import gitfiles
from edgespark_tasks.project.model import Project

ID = "migrations-journal"
_TAG = re.compile(r"(\d{4})_[\w-]+")
REGENERATE = ("delete the unapplied migration files and their journal entries, then run "
              "`edgespark db generate`")
NO_SNAPSHOT = ("hand-written migration without a snapshot: the next `edgespark db generate` "
               "diffs the schema against the latest snapshot, so it may repeat or miss these "
               "changes")


def journal_findings(text: str, journal: str, sql_tags: Collection[str],
                     snapshots: Collection[str]) -> list[Finding]:
    """Check the journal text against the `.sql` stems and snapshot file names present."""
    def err(line: int | None, message: str, fix: str = REGENERATE) -> Finding:
        return Finding(ID, "error", journal, line, message, fix)

    try:
        data: Any = json.loads(text)
    except (ValueError, RecursionError) as exc:
        return [err(getattr(exc, "lineno", None), f"_journal.json is not valid JSON ({exc})",
                    "restore it from git, or regenerate it with `edgespark db generate`")]
    entries = data.get("entries") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        return [err(1, "_journal.json has no `entries` list")]
    findings: list[Finding] = []
    tags: set[str] = set()
    seen: set[tuple[int, str]] = set()
    last_when: int | None = None
    expected = 0
    entry_lines = _EntryLines(text)
    for pos, entry in enumerate(entries):
        tag = entry.get("tag") if isinstance(entry, dict) else None
        line = entry_lines.next(tag) if isinstance(tag, str) else None
        idx = entry.get("idx") if isinstance(entry, dict) else None
        if not isinstance(tag, str) or not isinstance(idx, int) or isinstance(idx, bool):
            findings.append(err(line, f"journal entry {pos} needs an integer `idx` and a `tag`"))
            expected += 1
            continue
        if (idx, tag) in seen:  # one finding, not a cascade of "idx N, expected N+1"
            findings.append(err(line, f"duplicate entry: {tag} (idx {idx}) is listed twice",
                                "remove the second copy of this entry from meta/_journal.json; "
                                "keep the .sql file and snapshot (it may already be applied)"))
            continue
        seen.add((idx, tag))
        if idx != expected:
            findings.append(err(line, f"entry {tag} has idx {idx}, expected {expected}: idx must "
                                      "run 0, 1, 2... without gaps or duplicates"))
        expected += 1
        match = _TAG.fullmatch(tag)
        if match is None or int(match.group(1)) != idx:
            findings.append(err(line, f"tag {tag!r} does not start with its idx {idx:04d}_"))
        if tag in tags:
            findings.append(err(line, f"tag {tag!r} appears twice in the journal"))
        tags.add(tag)
        if tag not in sql_tags:
            findings.append(err(line, f"journal lists {tag} but drizzle/{tag}.sql does not exist",
                                f"restore drizzle/{tag}.sql from git, or {REGENERATE}"))
        elif f"{tag[:4]}_snapshot.json" not in snapshots:
            findings.append(Finding(ID, "warning", journal, line, f"{tag}: {NO_SNAPSHOT}",
                                    "prefer `edgespark db generate` (use --name for a custom "
                                    "name) over writing migrations by hand"))
        when = entry.get("when")
        if isinstance(when, int) and last_when is not None and when < last_when:
            findings.append(Finding(ID, "warning", journal, line,
                                    f"{tag}: `when` goes backwards (clock skew or a reordered "
                                    "entry)", "check the entry order against the file names"))
        last_when = when if isinstance(when, int) else last_when
    for stem in sorted(set(sql_tags) - tags):
        findings.append(Finding(ID, "error", f"{Path(journal).parent.parent.as_posix()}/"
                                f"{stem}.sql", None,
                                "migration is not in meta/_journal.json, so it never runs",
                                REGENERATE))
    return findings


class _EntryLines:
    """Line of each journal entry by tag; a tag listed twice gets each copy's own line."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines: dict[str, list[int]] = {}
        self.used: dict[str, int] = {}

    def next(self, tag: str) -> int | None:
        if tag not in self.lines:
            pattern = re.compile(r'"tag"\s*:\s*' + re.escape(json.dumps(tag)))
            self.lines[tag] = [self.text.count("\n", 0, m.start()) + 1
                               for m in pattern.finditer(self.text)]
        found, nth = self.lines[tag], self.used.get(tag, 0)
        self.used[tag] = nth + 1
        return found[min(nth, len(found) - 1)] if found else None


def check(ctx: CheckContext) -> list[Finding]:
    """Journal consistency, then: no migration that is on the default branch was changed."""
    project = ctx.project
    sql_tags = {p.stem for p in project.migrations()}
    if project.journal.is_file():
        meta = project.drizzle_meta
        snapshots = {p.name for p in meta.glob("[0-9][0-9][0-9][0-9]_snapshot.json")}
        text = project.journal.read_text(encoding="utf-8", errors="replace")
        findings = journal_findings(text, ctx.rel(project.journal), sql_tags, snapshots)
    elif sql_tags:
        findings = [Finding(ID, "error", ctx.rel(project.journal), None,
                            "migrations exist but meta/_journal.json is missing",
                            "restore it from git (`git checkout -- <path>`)")]
    else:
        findings = []
    return findings + _applied_changes(ctx)


def _applied_changes(ctx: CheckContext) -> list[Finding]:
    project = ctx.project
    found = gitfiles.changes_since_fork(project.root, project.migration_branch,
                                        project.drizzle_dir, cached=ctx.judges_index)
    if found is None:
        return []  # not in git, or no default branch yet: nothing is applied
    branch, changes = found
    findings = []
    base = ""
    allowed = ctx.settings.allow_rewritten_migrations
    for status, path in changes:
        if path.parent != project.drizzle_dir or path.suffix != ".sql" or status not in ("M", "D"):
            continue
        rel = ctx.rel(path)
        base = base or (gitfiles.merge_base(project.root, branch) or branch)
        if status == "D":
            findings.append(Finding(
                ID, "error", rel, None, f"deletes a migration already on {branch}: applied "
                "migrations must never change (the remote database stores their hashes)",
                f"`git checkout {base[:12]} -- {rel}` and put the change in a new migration "
                "(`edgespark db generate`)"))
            continue
        from edgespark_tasks.project.files import sha256_file

        digest = sha256_file(path)
        if allowed.get(path.name) == digest:
            continue  # rewritten on purpose, and this exact content was allowed
        findings.append(Finding(
            ID, "error", rel, None, f"edits a migration already on {branch}: applied migrations "
            "must never change (the remote database stores their hashes)",
            f"`git checkout {base[:12]} -- {rel}` and put the change in a new migration "
            "(`edgespark db generate`). If the platform refused it and it was never applied, "
            f"allow this one rewrite in pyproject.toml: [tool.edgespark-tasks."
            f'allow_rewritten_migrations] "{path.name}" = "{digest}"'))
    return findings


def relevant(project: Project, path: Path) -> bool:
    """Anything under the drizzle folder."""
    return under(path, project.drizzle_dir)


CHECK = Check(ID, check, relevant, "journal, .sql files and snapshots agree; applied "
              "migrations unchanged")
