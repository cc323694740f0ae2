"""`python -m events.assistant`: serve the assistant's MCP server on stdio.

    PYTHONPATH=plugins python -m events.assistant --site output/
    PYTHONPATH=plugins python -m events.assistant --base-url https://dctech.events

Each option can also come from the environment (EVENTS_ASSISTANT_SITE,
EVENTS_ASSISTANT_BASE_URL, EVENTS_ASSISTANT_REPOSITORY,
EVENTS_ASSISTANT_BRANCH); an option given on the command line wins. The
clock is the real time. Logs go to stderr: stdout carries the protocol.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from .corrections import REPOSITORY_PATTERN
from .server import DEFAULT_REPOSITORY, build_server
from .source import (
    DEFAULT_MAX_BYTES,
    DEFAULT_TIMEOUT,
    FolderSource,
    HttpSource,
    SiteSource,
)

__all__ = ["main", "parse_args", "source_from"]


def parse_args(argv: Sequence[str] | None = None, environ: dict[str, str] | None = None) -> argparse.Namespace:
    env = dict(os.environ) if environ is None else environ
    parser = argparse.ArgumentParser(
        prog="python -m events.assistant",
        description="Serve the site's events to an AI assistant over MCP (stdio), read-only.",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--site", type=Path, help="a built site's output folder (env EVENTS_ASSISTANT_SITE)")
    where.add_argument("--base-url", help="the published site's URL, e.g. https://dctech.events (env EVENTS_ASSISTANT_BASE_URL)")
    parser.add_argument(
        "--repository",
        default=env.get("EVENTS_ASSISTANT_REPOSITORY") or DEFAULT_REPOSITORY,
        help=f"GitHub OWNER/NAME that drafted corrections are proposed to (env EVENTS_ASSISTANT_REPOSITORY; default {DEFAULT_REPOSITORY})",
    )
    parser.add_argument(
        "--branch", default=env.get("EVENTS_ASSISTANT_BRANCH") or "main", help="branch of the pull requests (env EVENTS_ASSISTANT_BRANCH; default main)"
    )
    parser.add_argument(
        "--site-url", default="", help="with --site: the site's public URL, to make its links absolute (default: the base URL, if any)"
    )
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help=f"seconds for one HTTP request (default {DEFAULT_TIMEOUT})")
    parser.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, help=f"largest JSON file accepted (default {DEFAULT_MAX_BYTES})")
    args = parser.parse_args(argv)
    if args.site is None and not args.base_url:
        if env.get("EVENTS_ASSISTANT_BASE_URL"):
            args.base_url = env["EVENTS_ASSISTANT_BASE_URL"]
        else:
            args.site = Path(env.get("EVENTS_ASSISTANT_SITE") or "output")
    if args.base_url and not args.base_url.startswith(("http://", "https://")):
        parser.error(f"--base-url {args.base_url!r} is not an http(s) URL")
    if not REPOSITORY_PATTERN.match(args.repository):
        parser.error(f"--repository {args.repository!r} is not OWNER/NAME")
    if args.site is not None and not (args.site / "api" / "events.json").is_file():
        parser.error(f"--site {str(args.site)!r} has no api/events.json: build the site first (invoke build)")
    return args


def source_from(args: argparse.Namespace) -> SiteSource:
    if args.base_url:
        return HttpSource(args.base_url, timeout=args.timeout, max_bytes=args.max_bytes)
    return FolderSource(Path(args.site), max_bytes=args.max_bytes)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    server = build_server(
        source_from(args),
        now=lambda: datetime.now(UTC),
        repository=args.repository,
        branch=args.branch,
        site_url=args.site_url or args.base_url or "",
    )
    server.run("stdio")
    return 0


if __name__ == "__main__":
    sys.exit(main())
