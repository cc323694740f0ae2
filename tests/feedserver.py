"""A real HTTP server on 127.0.0.1 serving recorded feeds, for tests and `invoke demo`."""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar

__all__ = ["FeedServer", "LoopbackServer", "write_demo_groups"]


class _Server(ThreadingHTTPServer):
    # Handler threads must not keep a finished test process alive.
    daemon_threads = True
    request_queue_size = 512


class LoopbackServer:
    """Runs an HTTP handler on a free 127.0.0.1 port for as long as the `with` block runs."""

    def __init__(self, handler: Any) -> None:
        self._server = _Server(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def __enter__(self) -> Any:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class _QuietHandler(SimpleHTTPRequestHandler):
    extensions_map: ClassVar[dict[str, str]] = {**SimpleHTTPRequestHandler.extensions_map, ".ics": "text/calendar; charset=utf-8"}

    def log_message(self, format: str, *args: object) -> None:
        pass


class FeedServer(LoopbackServer):
    """Serves a folder of recorded feeds."""

    def __init__(self, folder: Path) -> None:
        super().__init__(functools.partial(_QuietHandler, directory=str(folder)))


def write_demo_groups(source: Path, target: Path, base_url: str) -> Path:
    """Copy the demo group files, pointing their feeds at `base_url`."""
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.glob("*.yaml")):
        (target / path.name).write_text(path.read_text(encoding="utf-8").replace("{base}", base_url), encoding="utf-8")
    return target
