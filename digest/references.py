"""The reference readouts: the bundled sample plus every file in `digest.references` folders."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from digest import themes

log = logging.getLogger(__name__)
SUFFIXES = (".txt", ".md", ".html", ".htm")
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Reference:
    name: str
    language: str
    text: str


def _language(text: str) -> str:
    cjk = len(_CJK.findall(text[:2000]))
    return "zh" if cjk > 50 else "en"


def _read(path: Path) -> str:
    raw = path.read_bytes()
    for encoding in ("utf-8", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        text = raw.decode("utf-8", errors="replace")
    if path.suffix in (".html", ".htm"):
        import trafilatura

        return trafilatura.extract(text) or ""
    return text


def load(folders: tuple[Path, ...] = ()) -> list[Reference]:
    """Bundled references first, then each folder's files in name order."""
    refs: list[Reference] = []
    bundled = resources.files("digest") / "reference"
    for entry in sorted(bundled.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(SUFFIXES):
            text = entry.read_text(encoding="utf-8")
            refs.append(Reference(entry.name, _language(text), text))
    for folder in folders:
        if not folder.is_dir():
            log.warning("reference folder %s does not exist; skipped", folder)
            continue
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() in SUFFIXES and path.is_file():
                try:
                    text = _read(path)
                except OSError as exc:
                    log.warning("reference %s unreadable (%s); skipped", path, exc)
                    continue
                if text.strip():
                    refs.append(Reference(path.name, _language(text), text))
    return refs


@lru_cache(maxsize=256)
def themes_of(ref: Reference, watch_terms: tuple[str, ...] = ()) -> tuple[str, ...]:
    return tuple(themes.themes(ref.text, ref.language, watch_terms))
