"""A real HTTP server on 127.0.0.1 that answers by path and query, for collection tests and benchmarks."""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlsplit

from feedserver import LoopbackServer

__all__ = ["Answer", "RoutedServer"]

# status, content type, body
Answer = tuple[int, str, bytes]


class RoutedServer(LoopbackServer):
    """Serves `routes` ("/path?query" or "/path" -> answer or callable) for as long as the `with` block runs.

    Counts the requests of each route; `latency` delays every answer (seconds).
    With `etags`, a 200 answer carries an ETag of its body and a request
    naming it in If-None-Match gets 304 Not Modified, as most feed hosts do
    (`not_modified` counts those).
    """

    def __init__(self, routes: dict[str, Answer | Callable[[], Answer]], latency: float = 0.0, etags: bool = False) -> None:
        self.routes = routes
        self.latency = latency
        self.etags = etags
        self.hits: dict[str, int] = {}
        self.not_modified = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out as two writes: with Nagle's algorithm the body waits for the
            # client's delayed ACK (40 ms) on a kept-alive connection.
            disable_nagle_algorithm = True

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                key = f"{parts.path}?{parts.query}" if parts.query and f"{parts.path}?{parts.query}" in server.routes else parts.path
                server.hits[key] = server.hits.get(key, 0) + 1
                answer = server.routes.get(key, (404, "text/plain", b"not found"))
                status, kind, body = answer() if callable(answer) else answer
                if server.latency:
                    time.sleep(server.latency)
                tag = f'"{hashlib.sha256(body).hexdigest()[:16]}"' if server.etags and status == 200 else ""
                if tag and self.headers.get("If-None-Match") == tag:
                    server.not_modified += 1
                    status, body = 304, b""
                self.send_response(status)
                self.send_header("Content-Type", kind)
                if status != 304:
                    self.send_header("Content-Length", str(len(body)))
                if tag:
                    self.send_header("ETag", tag)
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(Handler)
