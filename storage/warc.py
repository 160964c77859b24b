"""Every capture as a WARC response record (warcio), readable by standard WARC tools."""

from __future__ import annotations

import io
import json
import zlib
from typing import BinaryIO

import sqlite_utils
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

_REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 404: "Not Found", 410: "Gone",
            500: "Internal Server Error", 503: "Service Unavailable"}


def write_warc(db: sqlite_utils.Database, out: BinaryIO) -> int:
    writer = WARCWriter(out, gzip=True)
    n = 0
    rows = db.execute("SELECT c.id, c.final_url, c.url, c.fetched_at, c.status, c.headers, "
                      "b.body FROM captures c JOIN blobs b ON b.hash = c.content_hash "
                      "ORDER BY c.id")
    for _cid, final_url, url, fetched_at, status, headers, blob in rows:
        body = zlib.decompress(blob)
        header_list = [(k.title(), v) for k, v in sorted(json.loads(headers or "{}").items())
                       if k.lower() not in ("content-length", "transfer-encoding", "content-encoding")]
        header_list.append(("Content-Length", str(len(body))))
        http = StatusAndHeaders(f"{status} {_REASONS.get(status, 'Unknown')}", header_list,
                                protocol="HTTP/1.1")
        record = writer.create_warc_record(
            final_url or url, "response", payload=io.BytesIO(body), http_headers=http,
            warc_headers_dict={"WARC-Date": fetched_at.replace("+00:00", "Z")})
        writer.write_record(record)
        n += 1
    return n
