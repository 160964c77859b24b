"""The command line: help everywhere, and one clear line (exit 2) for a bad config."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run_cli, write_config

COMMANDS = [[], ["demo"], ["crawl"], ["digest"], ["serve"], ["status"], ["search"], ["sources"],
            ["sources", "check"], ["export"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "readouts")
def test_help_works_for_every_command(command: list[str]) -> None:
    proc = run_cli(*command, "--help")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("usage: readouts")


def _one_line_error(proc) -> str:  # type: ignore[no-untyped-def]
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    return lines[0]


def test_missing_config_names_the_file(tmp_path: Path) -> None:
    line = _one_line_error(run_cli("status", cwd=tmp_path))
    assert "readouts.toml" in line and "not found" in line


def test_config_from_environment_variable(tmp_path: Path) -> None:
    line = _one_line_error(run_cli("status", cwd=tmp_path,
                                   env={"READOUTS_CONFIG": str(tmp_path / "elsewhere.toml")}))
    assert "elsewhere.toml" in line


@pytest.mark.parametrize(("body", "expected"), [
    ("[storage\ndatabase = 1", "not valid TOML"),
    ("[storage]\ndatabse = 'x.db'", "unknown key storage.databse"),
    ("[digest]\ntimezone = 'Mars/Olympus'", "digest.timezone"),
    ("[schedule]\ncrawl = 'every hour'", "schedule.crawl"),
    ("[digest]\nsince = 'last week'", "digest.since"),
    ("[[sources]]\nname = 'a'\ncity = 'A'\nlanguage = 'fr'\nstart_urls = ['http://a.example/']",
     "'language'"),
    ("[[sources]]\nname = 'a'\ncity = 'A'\nlanguage = 'en'\nstart_urls = ['http://a.example/']\n"
     "max_page = 3", "unknown key 'max_page'"),
    ("[[sources]]\nname = 'a'\ncity = 'A'\nlanguage = 'en'", "missing required key 'start_urls'"),
    ("[[sources]]\nname = 'a'\ncity = 'A'\nlanguage = 'en'\nstart_urls = ['http://a.example/']\n"
     "follow = '(unclosed'", "'follow' is not a valid regex"),
])
def test_broken_config_is_one_line_naming_the_key(tmp_path: Path, body: str, expected: str) -> None:
    (tmp_path / "readouts.toml").write_text(body, encoding="utf-8")
    line = _one_line_error(run_cli("status", cwd=tmp_path))
    assert expected in line
    assert "readouts.toml" in line


def test_status_on_an_empty_archive(tmp_path: Path) -> None:
    config = write_config(tmp_path, """
[[sources]]
name = "city-en"
city = "City"
language = "en"
start_urls = ["http://127.0.0.1:9/list.html"]
""")
    proc = run_cli("--config", str(config), "status", "--json")
    assert proc.returncode == 0, proc.stderr
    assert '"last_status": "never crawled"' in proc.stdout
    assert (tmp_path / "data" / "readouts.db").exists()


def test_digest_of_a_week_not_yet_over_is_refused(tmp_path: Path) -> None:
    config = write_config(tmp_path, "")
    proc = run_cli("--config", str(config), "digest", "--week", "2999-W01")
    line = _one_line_error(proc)
    assert "has not ended" in line
    line = _one_line_error(run_cli("--config", str(config), "digest", "--week", "2026-48"))
    assert "not an ISO week" in line
