"""Shared test helpers: digest parsing, config writing, running the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml
from markdown_it import MarkdownIt

SECTIONS = ["Summary", "New readouts", "Themes", "Updated readouts", "Late arrivals",
            "Crawl health"]
FRONT_MATTER_KEYS = ["week", "period_start", "period_end", "timezone", "readouts", "updated",
                     "late", "sources_ok", "sources_failed"]


def split_digest(text: str) -> tuple[dict, str]:  # type: ignore[type-arg]
    assert text.startswith("---\n"), "digest must start with front matter"
    _, fm, body = text.split("---\n", 2)
    return yaml.safe_load(fm), body


def headings(markdown: str, level: int) -> list[str]:
    """Heading texts of one level, as a Markdown parser sees them."""
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    out = []
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.tag == f"h{level}":
            out.append(tokens[i + 1].content)
    return out


def section(body: str, name: str) -> str:
    start = body.index(f"\n## {name}\n")
    rest = body[start + len(name) + 5:]
    end = rest.find("\n## ")
    return rest if end < 0 else rest[:end]


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
            timeout: float = 600) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k != "READOUTS_CONFIG"}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "service.cli", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


def write_config(folder: Path, sources: str, extra: str = "") -> Path:
    path = folder / "readouts.toml"
    path.write_text(f"""
[storage]
database = "data/readouts.db"

[digest]
output_dir = "digests"
timezone = "Asia/Shanghai"
{extra}
{sources}
""", encoding="utf-8")
    return path
