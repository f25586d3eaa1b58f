"""Typed errors raised inside the package.

Only the edges (console, invoke, doit, pre-commit adapters) turn these into one-line messages
and exit codes; everything inside raises them.

Exit codes live here, in one table (`EXIT_CODES`, published in the README). The CLI's own codes
(1-7, see the platform reference) pass through unchanged; the suite's own codes are 10 and up,
so a CI script can tell "the CLI has no API key" (3) from "the CLI lacks a step" (12).
"""

from __future__ import annotations

# code -> (who exits with it, meaning). The README's "Exit codes" table mirrors this (a test
# keeps them equal).
EXIT_CODES: dict[int, tuple[str, str]] = {
    0: ("both", "success (a check or gate: nothing found)"),
    1: ("CLI", "the CLI failed (for `pull types --check`: stale); a check or gate found a "
               "problem; doctor found something that blocks the pipeline"),
    2: ("CLI", "the CLI rejected its invocation (no project id, not a project folder...)"),
    3: ("CLI", "the CLI has no API key"),
    4: ("CLI", "not found"),
    5: ("CLI", "already exists"),
    6: ("CLI", "network or API error, including HTTP 401/403"),
    7: ("CLI", "the CLI's configuration is invalid"),
    10: ("suite", "bad input: no project, a settings or plugin error, an unknown step or option"),
    11: ("suite", "refused before or during the run: preflight problems, a destructive "
                  "migration without --confirm-dangerous, secrets not set, a migration to review"),
    12: ("suite", "blocked: the installed CLI lacks a step this run needs (nothing was run)"),
    70: ("suite", "an unforeseen error stopped a step (the run still reports what it did)"),
    74: ("suite", "a success or the --json report could not be written (disk full, read-only)"),
    75: ("suite", "another edgespark command held the project lock too long"),
    124: ("suite", "a step ran past its timeout and was stopped"),
    127: ("suite", "the edgespark CLI was not found"),
    130: ("suite", "interrupted (Ctrl-C, SIGTERM); nothing recorded for the running step"),
}
BAD_INPUT = 10
REFUSED = 11
BLOCKED = 12


class EdgesparkTasksError(Exception):
    """Base class: a problem the user can fix, with a one-line message and an exit code."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def one_line(self) -> str:
        """The message and its hint, on one line, for the edge to print."""
        return f"{self.message}: {self.hint}" if self.hint else self.message


class ProjectError(EdgesparkTasksError):
    """No project, or a project file that cannot be read."""

    exit_code = BAD_INPUT


class SettingsError(EdgesparkTasksError):
    """An unknown settings key, a wrong type or an unreadable settings file."""

    exit_code = BAD_INPUT


class UnknownStepError(EdgesparkTasksError):
    """A step id that is not in the catalogue."""

    exit_code = BAD_INPUT


class ArgumentError(EdgesparkTasksError):
    """A command-line value that makes no sense, such as `log.tail --seconds 0`."""

    exit_code = BAD_INPUT


class PluginError(EdgesparkTasksError):
    """A plugin that cannot be loaded, or implements a hook that does not exist."""

    exit_code = BAD_INPUT


class CliNotFoundError(EdgesparkTasksError):
    """The `edgespark` CLI cannot be found."""

    exit_code = 127


class StepUnavailableError(EdgesparkTasksError):
    """The installed CLI lacks the command a step needs."""

    exit_code = BLOCKED


class CliLayoutError(StepUnavailableError):
    """The installed CLI cannot serve the project's layout (0.0.9 in a full-stack repo)."""


class CliError(EdgesparkTasksError):
    """The CLI ran and ended with a non-zero exit code."""

    exit_class = "error"

    def __init__(self, message: str, hint: str = "", *, returncode: int = 1) -> None:
        super().__init__(message, hint)
        self.returncode = returncode
        self.exit_code = returncode or 1


class StaleError(CliError):
    """A check found stale generated files (`pull types --check` exit 1)."""

    exit_class = "stale"


class UsageError(CliError):
    """The CLI rejected its invocation (exit 2): no project id, not a project dir..."""

    exit_class = "usage"


class AuthMissingError(CliError):
    """No API key configured (exit 3)."""

    exit_class = "auth-missing"


class NotFoundError(CliError):
    """The CLI reported that something does not exist (exit 4)."""

    exit_class = "not-found"


class AlreadyExistsError(CliError):
    """The CLI reported that something already exists (exit 5)."""

    exit_class = "already-exists"


class NetworkError(CliError):
    """Network or API failure, including HTTP 401/403 (exit 6)."""

    exit_class = "network"


class CliConfigError(CliError):
    """The CLI's configuration is invalid (exit 7)."""

    exit_class = "config"


class UnreadableOutputError(CliError):
    """The CLI ended well but printed nothing the step can read (e.g. no `secret list` table):
    "could not check", never "all fine"."""

    exit_class = "unreadable-output"

    def __init__(self, message: str, hint: str = "", *, returncode: int = 0) -> None:
        super().__init__(message, hint, returncode=returncode)
        self.exit_code = REFUSED  # the CLI itself succeeded: the suite refuses to go on


class StepTimeoutError(CliError):
    """The step ran past its timeout and was stopped."""

    exit_class = "timeout"


class LockTimeoutError(EdgesparkTasksError):
    """Another `edgespark` command held the project lock for too long."""

    exit_code = 75


class StepFailedError(EdgesparkTasksError):
    """A step's own logic refused to go on (destructive migration, missing secret...)."""

    exit_code = REFUSED
    exit_class = "refused"


class UnexpectedError(EdgesparkTasksError):
    """An error nobody foresaw, stopping a step; the run still reports what it did."""

    exit_code = 70  # EX_SOFTWARE


class StateWriteError(EdgesparkTasksError):
    """A step succeeded but its success could not be recorded (disk full, read-only)."""

    exit_code = 74  # EX_IOERR


class ReportWriteError(EdgesparkTasksError):
    """The `--json` report could not be written."""

    exit_code = 74  # EX_IOERR


class Interrupted(EdgesparkTasksError):
    """Ctrl-C or SIGTERM: the child was stopped and reaped."""

    exit_code = 130


# Exit classes that mean "could not check" rather than "checked and found a problem".
COULD_NOT_CHECK = frozenset({"auth-missing", "network", "cli-missing", "unavailable", "timeout",
                             "unreadable-output"})


def exit_class_of(error: BaseException) -> str:
    """The exit class name of an error, as used in reports and gate decisions."""
    if isinstance(error, CliError):
        return error.exit_class
    if isinstance(error, CliNotFoundError):
        return "cli-missing"
    if isinstance(error, CliLayoutError):
        return "cli-too-old"
    if isinstance(error, StepUnavailableError):
        return "unavailable"
    if isinstance(error, Interrupted):
        return "interrupted"
    if isinstance(error, StepFailedError):
        return "refused"
    return "error"
