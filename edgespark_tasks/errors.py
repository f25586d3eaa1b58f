"""Typed errors raised inside the package.

Only the edges (console, invoke, doit, pre-commit adapters) turn these into one-line messages
and exit codes; everything inside raises them.
"""

from __future__ import annotations


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

    exit_code = 2


class SettingsError(EdgesparkTasksError):
    """An unknown settings key, a wrong type or an unreadable settings file."""

    exit_code = 2


class UnknownStepError(EdgesparkTasksError):
    """A step id that is not in the catalogue."""

    exit_code = 2


class ArgumentError(EdgesparkTasksError):
    """A command-line value that makes no sense, such as `log.tail --seconds 0`."""

    exit_code = 2


class PluginError(EdgesparkTasksError):
    """A plugin that cannot be loaded, or implements a hook that does not exist."""

    exit_code = 2


class CliNotFoundError(EdgesparkTasksError):
    """The `edgespark` CLI cannot be found."""

    exit_code = 127


class StepUnavailableError(EdgesparkTasksError):
    """The installed CLI lacks the command a step needs."""

    exit_code = 3


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


class StepTimeoutError(CliError):
    """The step ran past its timeout and was stopped."""

    exit_class = "timeout"


class LockTimeoutError(EdgesparkTasksError):
    """Another `edgespark` command held the project lock for too long."""

    exit_code = 75


class StepFailedError(EdgesparkTasksError):
    """A step's own logic refused to go on (destructive migration, missing secret...)."""

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
