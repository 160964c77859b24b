"""Storage stage: the SQLite archive of captures, readouts, copies and revisions."""
