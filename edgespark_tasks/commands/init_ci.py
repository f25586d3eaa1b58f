"""`edgespark-tasks init --ci github|gitlab`: the CI file, written, merged or refused.

GitHub: `.github/workflows/edgespark.yml` is a file of its own. Missing: created. Ours and
unchanged: nothing to do. Ours but edited (or from another version): left alone, `--force`
replaces it (yours kept as `.orig`). Someone else's file under that name: refused (exit 1)
unless `--force`.

GitLab: one `.gitlab-ci.yml` per repository, so our jobs are a block between two marker
lines, appended to a file that exists (every line of the user's kept). The block adds no
top-level key but its three jobs, and uses GitLab's default `test` and `deploy` stages: a
file whose `stages:` lacks them, or that has a job of the same name, is refused with what
to do. An edited block is left alone; `--force` replaces the block alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import yaml

from edgespark_tasks.commands.ci_render import CI_FILES, render, repo_facts

if TYPE_CHECKING:
    from edgespark_tasks.commands.init import InitRun

BEGIN = "# ---- EdgeSpark CI"
END = "# ---- end of EdgeSpark CI ----"
GITLAB_JOBS = (".edgespark", "edgespark-check", "edgespark-deploy")


class _AnyTagLoader(yaml.SafeLoader):
    """A safe loader that accepts GitLab's own tags (`!reference [...]`) as plain values."""


_AnyTagLoader.add_multi_constructor(
    "!", lambda loader, suffix, node: loader.construct_sequence(node)
    if isinstance(node, yaml.SequenceNode) else loader.construct_scalar(node)
    if isinstance(node, yaml.ScalarNode) else loader.construct_mapping(node))


def load_gitlab(text: str) -> Any:
    """A .gitlab-ci.yml's data (GitLab tags accepted)."""
    return yaml.load(text, Loader=_AnyTagLoader)


def render_ci(run: InitRun, ci: str) -> str:
    """The CI file's text for this repository; raises ProjectError when it has no project."""
    facts = repo_facts(run.directory)
    if facts.note:
        run.say(f"note: {facts.note}")
    return render(ci, facts, run.templates)


def write_ci(run: InitRun, ci: str, text: str) -> None:
    """Write, merge or refuse the CI file for `ci` (see the module docstring)."""
    if ci == "github":
        _github(run, CI_FILES[ci], text)
    else:
        _gitlab(run, CI_FILES[ci], text)


def _github(run: InitRun, name: str, text: str) -> None:
    path = run.directory / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        run.write(name, text, "created")
        return
    current = path.read_text(errors="replace")
    if current == text:
        run.say(f"unchanged {name} (already the generated workflow)")
        return
    ours = "edgespark-tasks init --ci github" in current
    if run.force:
        backup = run.keep_original(path)
        run.write(name, text, f"replaced (--force; yours is in {backup.name})")
        return
    if ours:
        run.say(f"left {name} alone: it was edited since `init --ci github` wrote it (or "
                "comes from another version); --force replaces it, keeping yours as .orig")
        return
    run.problems += 1
    run.say(f"left {name} alone: it is not ours; move it, or re-run with --force (yours is "
            "kept as edgespark.yml.orig)")


def _gitlab(run: InitRun, name: str, block: str) -> None:
    path = run.directory / name
    if not path.exists():
        run.write(name, block, "created")
        return
    current = path.read_text(errors="replace")
    if BEGIN in current and END in current:
        start = current.index(BEGIN)
        end = current.index(END, start) + len(END) + 1
        if current[start:end] == block:
            run.say(f"unchanged {name} (already runs the EdgeSpark jobs)")
        elif run.force:
            backup = run.keep_original(path)
            run.write(name, current[:start] + block + current[end:],
                      "updated (--force: the EdgeSpark block replaced; yours is in "
                      f"{backup.name})")
        else:
            run.say(f"left {name} alone: its EdgeSpark block was edited; --force replaces "
                    "that block (and keeps the file as .orig)")
        return
    refusal = _cannot_merge(current)
    if refusal:
        run.problems += 1
        run.say(f"left {name} alone: {refusal}; then re-run, or add this block yourself:\n")
        run.say(block)
        return
    merged = current + ("" if current.endswith("\n") else "\n") + "\n" + block
    if load_gitlab(merged) != {**(load_gitlab(current) or {}), **load_gitlab(block)}:
        run.problems += 1
        run.say(f"left {name} alone: the merged file would not keep your jobs as they are; "
                "add the EdgeSpark block yourself:\n")
        run.say(block)
        return
    run.write(name, merged, "updated")
    run.say(f"  appended the EdgeSpark jobs ({', '.join(GITLAB_JOBS[1:])}); your "
            f"{len(current.splitlines())} line(s) kept as they were")


def _cannot_merge(current: str) -> str | None:
    """Why our block cannot be appended to this .gitlab-ci.yml, or None."""
    try:
        data = load_gitlab(current) or {}
    except yaml.YAMLError:
        return "it is not valid YAML"
    if not isinstance(data, dict):
        return "it is not a mapping of jobs"
    clash = [job for job in GITLAB_JOBS if job in data]
    if clash:
        return f"it already has {', '.join(clash)}: rename yours"
    stages = data.get("stages")
    if stages is not None:
        missing = [s for s in ("test", "deploy") if not isinstance(stages, list)
                   or s not in stages]
        if missing:
            return f"its `stages:` lacks {' and '.join(missing)}: add them"
    return None
