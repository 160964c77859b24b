"""Import time of `readouts --help` and `readouts status`, as `python -X importtime` reports it.

Usage: .venv/bin/python bench/startup.py [--runs N]

Each command runs N times in a fresh interpreter; the figure is the sum of the top-level
imports' cumulative times (everything imported, site and readouts included), median of
the runs. `status` runs against a small config whose database already exists, and the
slowest top-level imports of the last run are listed.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

CONFIG = """
[storage]
database = "data/readouts.db"

[digest]
output_dir = "digests"
since = "2026-09-07"

[[sources]]
name = "city-en"
city = "City"
language = "en"
start_urls = ["http://127.0.0.1:9/list.html"]
"""


def import_times(args: list[str]) -> tuple[float, list[tuple[float, str]]]:
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "service.cli", *args],
                          capture_output=True, text=True, check=False)
    top: list[tuple[float, str]] = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line[len("import time:"):].split("|")
        if not name.startswith("  "):          # one space: a top-level import
            top.append((int(cumulative) / 1e6, name.strip()))
    return sum(t for t, _ in top), sorted(top, reverse=True)[:5]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "readouts.toml"
        config.write_text(CONFIG, encoding="utf-8")
        subprocess.run([sys.executable, "-m", "service.cli", "--config", str(config), "status"],
                       capture_output=True, check=False)   # creates the database once
        for label, args in (("readouts --help", ["--help"]),
                            ("readouts status", ["--config", str(config), "status"])):
            results = [import_times(args) for _ in range(runs)]
            totals = [total for total, _ in results]
            print(f"{label}: median {statistics.median(totals):.3f} s, "
                  f"min {min(totals):.3f} s, max {max(totals):.3f} s ({runs} runs)")
            for seconds, name in results[-1][1]:
                print(f"    {seconds:.3f} s  {name}")


if __name__ == "__main__":
    main()
