"""Reading the demo's article files (`content/<source>/NNN-slug.txt`: header lines, ---, text)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from importlib.resources.abc import Traversable
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Article:
    source: str
    slug: str
    title: str
    published: datetime
    type: str                  # readout | news | reprint
    paragraphs: tuple[str, ...]
    kind: str | None = None


def parse(source: str, name: str, raw: str) -> Article:
    head, _, body = raw.partition("\n---\n")
    meta = {}
    for line in head.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            meta[key.strip()] = value.strip()
    paragraphs = tuple(p.strip() for p in body.strip().split("\n\n") if p.strip())
    return Article(source=source, slug=name.removesuffix(".txt"), title=meta["title"],
                   published=datetime.strptime(meta["published"], "%Y-%m-%d %H:%M").replace(tzinfo=TZ),
                   type=meta.get("type", "news"), paragraphs=paragraphs, kind=meta.get("kind"))


def _root() -> Traversable:
    return resources.files("service.demo") / "content"


def load(source: str) -> list[Article]:
    folder = _root() / source
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".txt")), key=lambda f: f.name)
    return [parse(source, f.name, f.read_text(encoding="utf-8")) for f in files]


def load_edited() -> dict[str, Article]:
    """Later versions of articles, keyed by slug (the source is the one holding that slug)."""
    folder = _root() / "edited"
    out = {}
    for f in sorted(folder.iterdir(), key=lambda f: f.name):
        if f.name.endswith(".txt"):
            art = parse("edited", f.name, f.read_text(encoding="utf-8"))
            out[art.slug] = art
    return out
