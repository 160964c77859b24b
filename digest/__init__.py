"""Digest stage: read stored readouts, compare them, write one Markdown file per ISO week."""
