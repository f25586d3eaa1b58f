"""Which EdgeSpark environment a run targets, said plainly.

With `--environment` (or the `environment` setting) the answer is that name. Without it the CLI
picks, and the answer depends on the CLI: the docs say a new project has one default
environment, production; the public 0.0.9 build defaults to staging for `deploy` and to
development for `pull`; `[defaults] environment` in edgespark.toml is read by 0.0.9 too (but
its own `--environment` default wins over it). We say what is known rather than "default".
"""

from __future__ import annotations

from edgespark_tasks.project.model import Project

DOCS_DEFAULT = "production"
# What a CLI version does without --environment, where observed: command -> environment.
OBSERVED_DEFAULTS = {"0.0.9": {"deploy": "staging", "pull": "development"}}


def describe(environment: str | None, project: Project, cli_version: str = "") -> str:
    """`staging`, or what the CLI will use without --environment, as far as it is known."""
    if environment:
        return environment
    observed = OBSERVED_DEFAULTS.get(cli_version)
    if observed:
        shown = ", ".join(f"{env} for `{cmd}`" for cmd, env in observed.items())
        return f"no --environment: edgespark {cli_version} uses {shown}"
    configured = _toml_default(project)
    if configured:
        return (f"no --environment: the CLI's default, {configured!r} from edgespark.toml "
                "[defaults] for CLIs that read it")
    return (f"no --environment: the CLI's default ({DOCS_DEFAULT} per the docs; "
            "edgespark 0.0.9 uses staging for `deploy`)")


def short(environment: str | None) -> str:
    """A short label for state and summaries: the name, or `CLI default`."""
    return environment or "CLI default"


def _toml_default(project: Project) -> str | None:
    defaults = project.toml.get("defaults")
    if isinstance(defaults, dict) and isinstance(defaults.get("environment"), str):
        return str(defaults["environment"])
    return None
