"""Built-in post-deploy smoke check (httpx): the deployed Worker must actually answer."""

from __future__ import annotations

import time

from edgespark_tasks import errors
from edgespark_tasks.engine.context import StepContext, StepResult
from edgespark_tasks.engine.hookspecs import hookimpl
from edgespark_tasks.project.setting_values import SmokeCheck

_EXCERPT = 200


@hookimpl
def edgespark_smoke(ctx: StepContext) -> StepResult:
    import httpx  # only the smoke step needs it; keeps other start-up paths light

    if not ctx.settings.smoke_configured:
        return StepResult(nothing_to_do="not configured: add [tool.edgespark-tasks.smoke] checks")
    deploy = ctx.results.get("deploy")
    base = (deploy.data.get("url") if deploy else None) or ctx.settings.smoke_base_url
    if not base:
        raise errors.StepFailedError("no URL to check",
                                     "deploy printed no `URL:` line; set smoke_base_url")
    settings = ctx.settings
    deadline = time.monotonic() + settings.smoke_deadline
    lines = []
    with httpx.Client(timeout=settings.smoke_timeout, follow_redirects=True) as client:
        for check in settings.smoke_checks:
            url = base.rstrip("/") + "/" + check.path.lstrip("/")
            status, detail = _until_ok(client, check, url, deadline)
            lines.append(f"{check.method} {url} -> {status}")
            ctx.say(f"  {lines[-1]}")
            if detail:
                raise errors.StepFailedError(f"smoke check {check.method} {url}: {detail}",
                                             "the deploy is live but not answering as expected")
    return StepResult(output="\n".join(lines), data={"url": base})


def _until_ok(client: object, check: SmokeCheck, url: str,
              deadline: float) -> tuple[str, str | None]:
    import httpx

    assert isinstance(client, httpx.Client)
    delay = 0.5
    while True:
        detail: str | None
        try:
            response = client.request(check.method, url)
            status = str(response.status_code)
            if response.status_code != check.status:
                detail = (f"status {response.status_code}, expected {check.status}; body: "
                          f"{response.text[:_EXCERPT]!r}")
            elif check.contains and check.contains not in response.text:
                detail = f"body lacks {check.contains!r}; body: {response.text[:_EXCERPT]!r}"
            else:
                return status, None
        except httpx.TimeoutException:
            status, detail = "timeout", "no answer within smoke_timeout"
        except httpx.HTTPError as exc:
            status, detail = "error", f"{type(exc).__name__}: {exc}"
        if time.monotonic() + delay > deadline:
            return status, detail
        time.sleep(delay)
        delay = min(delay * 2, 5.0)
