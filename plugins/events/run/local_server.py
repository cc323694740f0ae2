"""Small HTTP servers on 127.0.0.1: the demo's recorded feeds, and `invoke serve` for a built site."""

from __future__ import annotations

import functools
import os
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Self

__all__ = ["FolderServer", "LoopbackServer", "serve_folder"]


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


def serve_folder(folder: Path, port: int) -> FolderServer:
    """A server for a built site on http://127.0.0.1:PORT/; use it in a `with` block."""
    return FolderServer(folder, port)
