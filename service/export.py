"""`readouts export`: every archived article as JSON lines (with what the digest reads from
it, so a user can audit classification), or every capture as WARC."""

from __future__ import annotations

import json
from typing import Any, BinaryIO

from service.config import Config


def export(config: Config, fmt: str, out: BinaryIO) -> int:
    from storage.schema import open_db

    db = open_db(config.database)
    try:
        if fmt == "warc":
            from storage.warc import write_warc

            return write_warc(db, out)
        return _jsonl(db, config, out)
    finally:
        db.close()


def _jsonl(db, config: Config, out: BinaryIO) -> int:  # type: ignore[no-untyped-def]
    from digest import parse, themes
    from storage.articles import iter_archived

    n = 0
    for a in iter_archived(db):
        meeting = parse.parse(a.text, a.language or "", a.published) if a.is_readout \
            else parse.Meeting()
        record: dict[str, Any] = {   # the keys of DESIGN.md, "Export", in that order
            "url": a.url, "source": a.source, "city": a.city, "language": a.language,
            "title": a.title, "published": a.published, "first_seen": a.first_seen,
            "is_readout": a.is_readout, "kind": a.kind,
            "meeting_date": meeting.meeting_date.isoformat() if meeting.meeting_date else None,
            "presider": meeting.presider, "presider_title": meeting.presider_title,
            "attendees": meeting.attendees,
            "agenda": [{"verb": i.verb, "gist": i.gist} for i in meeting.agenda],
            "themes": themes.themes(a.text, a.language or "", config.digest.watch_terms)
            if a.is_readout else [],
            "text": a.text, "copies": a.copies, "revisions": a.revisions,
        }
        out.write(json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n")
        n += 1
    return n
