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
    last_when: int | None = None
    for pos, entry in enumerate(entries):
        tag = entry.get("tag") if isinstance(entry, dict) else None
        line = _line_of(text, tag) if isinstance(tag, str) else None
        idx = entry.get("idx") if isinstance(entry, dict) else None
        if not isinstance(tag, str) or not isinstance(idx, int) or isinstance(idx, bool):
            findings.append(err(line, f"journal entry {pos} needs an integer `idx` and a `tag`"))
            continue
        if idx != pos:
            findings.append(err(line, f"entry {tag} has idx {idx}, expected {pos}: idx must run "
                                      "0, 1, 2... without gaps or duplicates"))
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


def _line_of(text: str, tag: str) -> int | None:
    match = re.search(r'"tag"\s*:\s*' + re.escape(json.dumps(tag)), text)
    return text.count("\n", 0, match.start()) + 1 if match else None


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
    branch = gitfiles.default_branch(project.root, project.migration_branch)
    base = gitfiles.merge_base(project.root, branch) if branch else None
    if base is None:
        return []  # not in git, or no default branch yet: nothing is applied
    findings = []
    changes = gitfiles.changes_against(project.root, base, project.drizzle_dir,
                                       cached=ctx.judges_index)
    for status, path in changes:
        if path.parent != project.drizzle_dir or path.suffix != ".sql" or status not in ("M", "D"):
            continue
        verb = "edits" if status == "M" else "deletes"
        findings.append(Finding(
            ID, "error", ctx.rel(path), None,
            f"{verb} a migration already on {branch}: applied migrations must never change "
            "(the remote database stores their hashes)",
            f"`git checkout {base[:12]} -- {ctx.rel(path)}` and put the change in a new "
            "migration (`edgespark db generate`)",
        ))
    return findings


def relevant(project: Project, path: Path) -> bool:
    """Anything under the drizzle folder."""
    return under(path, project.drizzle_dir)


CHECK = Check(ID, check, relevant, "journal, .sql files and snapshots agree; applied "
              "migrations unchanged")
