"""A small threaded HTTP server on 127.0.0.1 for the demo and the tests' fixture sites.

It also answers proxy-style requests (`GET http://host/path`), so a crawl can use stable
host names (`www.jiangzhou.example`) while everything goes to one ephemeral local port.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


Route = Callable[[str, str], Reply]   # (host, path with query) -> Reply


class SiteServer:
    def __init__(self, route: Route) -> None:
        self.route = route
        self.requests: Counter[str] = Counter()   # "host/path" -> times requested
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                target = urlsplit(self.path)
                host = (target.hostname if target.scheme else
                        (self.headers.get("Host") or "").split(":")[0]) or "localhost"
                path = target.path + (f"?{target.query}" if target.query else "")
                with server._lock:
                    server.requests[f"{host}{path}"] += 1
                reply = server.route(host, path)
                self.send_response(reply.status)
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> SiteServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
