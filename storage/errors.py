"""Storage errors, importable without loading sqlite-utils (the CLI catches them at start-up)."""


class SchemaError(RuntimeError):
    """The database file is newer than this code, or not a readouts database."""
