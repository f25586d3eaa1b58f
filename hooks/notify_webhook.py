"""edgespark-tasks plugin: POST a JSON summary of every pipeline run to a webhook.

Use it by listing the file in `pyproject.toml`:

    [tool.edgespark-tasks]
    plugins = ["hooks/notify_webhook.py"]

(or copy it into your repository and list that path). It reads:

- `EDGESPARK_TASKS_WEBHOOK_URL`: where to POST; when unset or empty the plugin does nothing.
- `EDGESPARK_TASKS_WEBHOOK_TIMEOUT`: seconds to wait for the webhook (default 5), for the
  whole call: connecting, sending and reading the answer. A webhook that trickles its answer
  a byte at a time is abandoned when the time is up.

After every `deploy` pipeline run, successful or not, it POSTs:

    {"event": "edgespark-tasks.pipeline", "project": ..., "environment": ..., "result": ...,
     "url": <deployed URL or null>, "duration": ..., "error": ...,
     "steps": [{"id", "title", "decision", "reason", "status", "duration", "exit_code",
                "exit_class", "message", "command"}, ...]}

The report it sends is the already-redacted JSON report. The webhook URL usually embeds a
token, so it is never printed: warnings only say "the webhook". A webhook that is down, slow
or answers an error only warns; it never changes the outcome or exit code of the deploy.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from edgespark_tasks.engine.hookspecs import hookimpl

if TYPE_CHECKING:
    from edgespark_tasks.engine.context import StepContext

URL_ENV = "EDGESPARK_TASKS_WEBHOOK_URL"
TIMEOUT_ENV = "EDGESPARK_TASKS_WEBHOOK_TIMEOUT"
DEFAULT_TIMEOUT = 5.0
EVENT = "edgespark-tasks.pipeline"
_STEP_FIELDS = ("id", "title", "decision", "reason", "status", "duration", "exit_code",
                "exit_class", "message", "command")


def webhook_timeout(environ: Mapping[str, str]) -> tuple[float, str | None]:
    """The timeout in seconds from `EDGESPARK_TASKS_WEBHOOK_TIMEOUT`, and a warning if invalid."""
    raw = environ.get(TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_TIMEOUT, None
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0 or value == float("inf"):
        return DEFAULT_TIMEOUT, (f"{TIMEOUT_ENV}={raw!r} is not a positive number of seconds; "
                                 f"using {DEFAULT_TIMEOUT:g}")
    return value, None


def summary(report: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON body sent to the webhook, built from the pipeline's (redacted) report."""
    steps = [{key: step.get(key) for key in _STEP_FIELDS}
             for step in report.get("steps", []) if isinstance(step, Mapping)]
    return {
        "event": EVENT,
        "project": report.get("project"),
        "environment": report.get("environment"),
        "result": report.get("result"),
        "url": report.get("url"),
        "duration": report.get("duration"),
        "error": report.get("error"),
        "steps": steps,
    }


def post_summary(url: str, body: Mapping[str, Any], timeout: float) -> str | None:
    """POST `body` as JSON to `url` within `timeout` seconds in total; returns None on a 2xx
    answer, else a URL-free problem.

    httpx's timeout applies to each read, so a server sending a byte a second would keep a
    finished deploy alive for ever; the call runs in a daemon thread given `timeout` in all.
    """
    outcome: list[str | None] = []
    worker = threading.Thread(target=lambda: outcome.append(_post(url, body, timeout)),
                              daemon=True, name="edgespark-webhook")
    worker.start()
    worker.join(timeout)
    if not outcome:
        return f"the webhook did not answer within {timeout:g}s"
    return outcome[0]


def _post(url: str, body: Mapping[str, Any], timeout: float) -> str | None:
    import httpx  # imported only when a webhook is configured

    try:
        with httpx.Client(timeout=timeout, follow_redirects=False) as client:
            response = client.post(url, json=dict(body),
                                   headers={"User-Agent": "edgespark-tasks-webhook"})
    except httpx.TimeoutException:
        return f"the webhook did not answer within {timeout:g}s"
    except httpx.HTTPError as exc:
        # str(exc) may contain the URL (and its token): report the kind of failure only.
        return f"the webhook could not be reached ({type(exc).__name__})"
    except Exception as exc:  # e.g. an invalid URL: never let a notification break a deploy
        return f"the webhook could not be called ({type(exc).__name__})"
    if not 200 <= response.status_code < 300:
        return f"the webhook answered HTTP {response.status_code}"
    return None


@hookimpl
def edgespark_pipeline_finished(ctx: StepContext, report: dict[str, Any]) -> None:
    """POST the run's summary to `EDGESPARK_TASKS_WEBHOOK_URL`; problems only warn."""
    url = os.environ.get(URL_ENV, "").strip()
    if not url:
        return
    ctx.redactor.add(url)  # belt and braces: nothing we print may contain it
    timeout, problem = webhook_timeout(os.environ)
    if problem:
        ctx.warn(problem)
    try:
        problem = post_summary(url, summary(report), timeout)
    except Exception as exc:  # a bug here must not turn a deploy into a failure
        problem = f"the webhook notification failed ({type(exc).__name__})"
    if problem:
        ctx.warn(f"{problem}; the deploy result is unchanged")
