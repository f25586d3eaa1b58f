"""Layer 4, the engine: the step catalogue, hookspecs, plugins, plan, state and the pipeline."""
