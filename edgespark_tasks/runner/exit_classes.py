"""The CLI's exit codes as typed errors, each with a one-line hint (see the platform reference:
1 error, or stale for `pull types --check`; 2 usage; 3 no API key; 4 not found; 5 already
exists; 6 network/API, including HTTP 401/403; 7 config)."""

from __future__ import annotations

from edgespark_tasks import errors

_EXIT_CLASSES: dict[int, tuple[type[errors.CliError], str]] = {
    1: (errors.CliError, "see the CLI output above"),
    2: (errors.UsageError, "check project_id in edgespark.toml and that the command is valid"),
    # `edgespark login` is documented but missing from the public 0.0.9 build: say so.
    3: (errors.AuthMissingError, "set EDGESPARK_API_KEY and retry (or `edgespark login` with "
                                 "a CLI that has it; 0.0.9 does not)"),
    4: (errors.NotFoundError, "check the project id and environment exist"),
    5: (errors.AlreadyExistsError, "it exists already; nothing to create"),
    6: (errors.NetworkError,
        "network or API error (HTTP 401/403 end here too): check EDGESPARK_API_KEY and "
        "connectivity, then retry"),
    7: (errors.CliConfigError, "fix the CLI configuration (edgespark.toml, flags, environment)"),
}


def classify(label: str, returncode: int, *, stale_exit: bool = False) -> errors.CliError:
    """The typed error for a non-zero exit of the command `label` names.

    `stale_exit`: for this command exit 1 means "stale" (`pull types --check`), not "error".
    """
    if returncode == 1 and stale_exit:
        return errors.StaleError(
            f"{label}: generated files are stale",
            "run `edgespark pull types` (inv pull.types) and commit the result",
            returncode=1,
        )
    cls, hint = _EXIT_CLASSES.get(returncode, (errors.CliError, "see the CLI output above"))
    return cls(f"{label} failed (exit {returncode}, {cls.exit_class})", hint,
               returncode=returncode)
