"""The plan or run as a Mermaid flowchart: one node per step, in order, coloured by status.

`edgespark-tasks plan --format mermaid` prints it; a GitHub step summary embeds it. The same
function draws both: before a run each node shows its decision (run, skip, blocked), after
it the outcome (ok, failed, skipped, not-run).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from edgespark_tasks.engine.report import StepOutcome

# Status or decision -> (fill, text colour, stroke dash).
_STYLES = {
    "ok": ("#2da44e", "#ffffff", ""),
    "failed": ("#cf222e", "#ffffff", ""),
    "blocked": ("#cf222e", "#ffffff", ""),
    "run": ("#0969da", "#ffffff", ""),
    "skip": ("#eaeef2", "#57606a", "5 3"),
    "skipped": ("#eaeef2", "#57606a", "5 3"),
    "not-run": ("#ffffff", "#57606a", "5 3"),
}


def node_state(row: StepOutcome, finished: bool) -> str:
    """What colours a node: the outcome after a run, the plan's decision before it."""
    return row.status if finished else row.decision


def _shorten(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _label(text: str) -> str:
    # Mermaid labels are quoted; a double quote inside is written as an entity.
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "#quot;").replace("\n", " "))


def flowchart(rows: Sequence[StepOutcome], *, finished: bool = False,
              direction: str = "LR") -> str:
    """The Mermaid source (without a code fence) of the steps in `rows`.

    `finished`: colour by outcome (a run's summary); otherwise by decision (a plan).
    """
    lines = [f"flowchart {direction}"]
    ids = []
    for row in rows:
        node = "s_" + "".join(c if c.isalnum() else "_" for c in row.id)
        ids.append(node)
        state = node_state(row, finished)
        took = f" {row.duration:.1f}s" if row.status in ("ok", "failed") else ""
        why = _label(_shorten(row.reason))
        label = f"{_label(row.title)}<br/>{state}{took}<br/>{why}"
        lines.append(f'    {node}["{label}"]:::{_css(state)}')
    for before, after in pairwise(ids):
        lines.append(f"    {before} --> {after}")
    for state in sorted({node_state(r, finished) for r in rows}):
        fill, color, dash = _STYLES.get(state, _STYLES["not-run"])
        dashed = f",stroke-dasharray:{dash}" if dash else ""
        lines.append(f"    classDef {_css(state)} fill:{fill},color:{color},stroke:#57606a{dashed}")
    return "\n".join(lines) + "\n"


def _css(state: str) -> str:
    return "st_" + state.replace("-", "_")
