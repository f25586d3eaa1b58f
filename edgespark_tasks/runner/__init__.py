"""Layer 2, the runner: the only code that starts `edgespark` (capabilities, exit classes, lock,
streaming, signals, redaction). Knows argv and a few facts, nothing of the step catalogue."""
