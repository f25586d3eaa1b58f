"""The `edgespark-tasks` subcommands that have more than a few lines: check, doctor, init."""
