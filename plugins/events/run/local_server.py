"""Small HTTP servers on 127.0.0.1: the demo's recorded feeds, and `invoke serve` for a built site."""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Self

__all__ = ["FolderServer", "LoopbackServer", "SiteHandler", "serve_folder", "site_path"]


class _Server(ThreadingHTTPServer):
    # Handler threads must not keep a finished process alive.
    daemon_threads = True
    request_queue_size = 512


class LoopbackServer:
    """Runs an HTTP handler on 127.0.0.1 (a free port unless given) for as long as the `with` block runs."""

    def __init__(self, handler: Any, port: int = 0) -> None:
        self._server = _Server(("127.0.0.1", port), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class _QuietHandler(SimpleHTTPRequestHandler):
    def guess_type(self, path: str | os.PathLike[str]) -> str:
        return "text/calendar; charset=utf-8" if str(path).endswith(".ics") else super().guess_type(path)

    def log_message(self, format: str, *args: object) -> None:
        pass


class FolderServer(LoopbackServer):
    """Serves the files of a folder (recorded feeds, a built site)."""

    def __init__(self, folder: Path, port: int = 0) -> None:
        super().__init__(functools.partial(_QuietHandler, directory=str(folder)), port)


def site_path(path: str, exists: Callable[[str], bool]) -> str:
    """The file path the published site serves for a URL path, as the CloudFront Function maps it.

    "/api/events/upcoming" is the serverless API's path: it answers with
    "/api/events/upcoming.json" when that file exists.
    """
    if path.startswith("/api/") and not path.endswith("/") and path.rfind(".") < path.rfind("/") and exists(path + ".json"):
        return path + ".json"
    return path


class SiteHandler(_QuietHandler):
    """A built site as CloudFront serves it: extension-less API paths, and 404.html for what is missing."""

    def __init__(self, *args: Any, directory: str, **kwargs: Any) -> None:
        self._root = Path(directory)
        super().__init__(*args, directory=directory, **kwargs)

    def send_head(self) -> Any:
        path, _, query = self.path.partition("?")
        mapped = site_path(path, lambda p: (self._root / p.lstrip("/")).is_file())
        if mapped != path:
            self.path = mapped + ("?" + query if query else "")
        return super().send_head()

    def list_directory(self, path: str | os.PathLike[str]) -> None:
        # S3 behind CloudFront lists no folders: a folder without index.html is missing.
        self.send_error(HTTPStatus.NOT_FOUND)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = self._root / "404.html"
        if code != HTTPStatus.NOT_FOUND or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(code)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def serve_folder(folder: Path, port: int) -> LoopbackServer:
    """A server for a built site on http://127.0.0.1:PORT/; use it in a `with` block."""
    return LoopbackServer(functools.partial(SiteHandler, directory=str(folder)), port)
