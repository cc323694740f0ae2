"""A real HTTP server on 127.0.0.1 serving recorded feeds (the package's own, as `invoke demo` uses)."""

from __future__ import annotations

from events.run.demo import write_demo_groups
from events.run.local_server import FolderServer as FeedServer
from events.run.local_server import LoopbackServer

__all__ = ["FeedServer", "LoopbackServer", "write_demo_groups"]
