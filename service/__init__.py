"""Service stage: the CLI and the scheduler; the only place that wires the stages together."""
