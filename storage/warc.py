"""Every capture as a WARC response record (warcio), readable by standard WARC tools."""

from __future__ import annotations

import io
import json
import zlib
from http import HTTPStatus
from typing import BinaryIO

import sqlite_utils
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

# The body is stored as received after Scrapy decoded any transfer or content encoding.
_DROPPED = ("content-length", "transfer-encoding", "content-encoding")


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def write_warc(db: sqlite_utils.Database, out: BinaryIO) -> int:
    """A warcinfo record, then one gzipped response record per capture, oldest first."""
    writer = WARCWriter(out, gzip=True)
    writer.write_record(writer.create_warcinfo_record(
        "readouts.warc.gz", {"software": "readouts", "format": "WARC File Format 1.0"}))
    n = 0
    rows = db.execute("SELECT c.final_url, c.url, c.fetched_at, c.status, c.headers, b.body "
                      "FROM captures c JOIN blobs b ON b.hash = c.content_hash ORDER BY c.id")
    for final_url, url, fetched_at, status, headers, blob in rows:
        body = zlib.decompress(blob)
        header_list = [(k.title(), v) for k, v in sorted(json.loads(headers or "{}").items())
                       if k.lower() not in _DROPPED]
        header_list.append(("Content-Length", str(len(body))))
        http = StatusAndHeaders(f"{status} {_reason(status)}", header_list, protocol="HTTP/1.1")
        record = writer.create_warc_record(
            final_url or url, "response", payload=io.BytesIO(body), http_headers=http,
            warc_headers_dict={"WARC-Date": fetched_at.replace("+00:00", "Z")})
        writer.write_record(record)
        n += 1
    return n
