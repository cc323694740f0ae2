"""The Pelican generator: reads the store, renders the planned pages.

The only module that imports Pelican.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from jinja2 import FileSystemBytecodeCache
from pelican.generators import Generator

from events.clock import collection_window
from events.inputs.groups import load_categories, load_groups
from events.settings import EventsSettings
from events.site.duplicates import merge_duplicates
from events.site.forked_render import share_with_child
from events.site.plan import SitePlan, plan_site
from events.site.records import PageSpec, SiteInfo
from events.store import open_store

__all__ = ["EventsGenerator"]

log = logging.getLogger(__name__)


class EventsGenerator(Generator):  # type: ignore[misc]  # Pelican is untyped
    """Collects (unless EVENTS_COLLECT is off), then writes the event pages and files."""

    def generate_context(self) -> None:
        # Titles and places come from other people's feeds: escape them whatever JINJA_ENVIRONMENT says.
        self.env.autoescape = True
        base = Path(self.settings.get("EVENTS_BASE_PATH", "") or Path(self.path).resolve().parent)
        self.events_settings = EventsSettings.from_mapping(
            {k: v for k, v in self.settings.items() if k.startswith("EVENTS_") and k != "EVENTS_BASE_PATH"}, base
        )
        settings = self.events_settings
        if settings.collect:
            # Imported here: the fetch stack (requests-cache, boto3) costs a
            # fifth of a second that a generate-only build does not need.
            from events.run.collection import run_collection

            run_collection(settings)
        now = settings.clock.now()
        start, end = collection_window(now, settings.horizon_days)
        loaded = load_groups(settings.groups_dir, load_categories(settings.categories_file))
        store = open_store(settings)
        try:
            events = store.window(start - timedelta(days=settings.archive_days), end)
            events = merge_duplicates(events)
            group_states = store.group_states()
        finally:
            store.close()
        site = SiteInfo(
            name=str(self.settings.get("SITENAME", "Events")),
            url=str(self.settings.get("SITEURL", "")),
            timezone=settings.timezone,
            home_days=settings.home_days,
            uid_domain=settings.uid_domain,
            states=settings.states,
            groups=loaded.groups,
            group_states=group_states,
            categories=load_categories(settings.categories_file),
            extra_pages=tuple(sorted(str(p.url) for p in self.context.get("pages", ()))),
            local_origin=settings.local_origin,
        )
        self.plan: SitePlan = plan_site(events, now, site)
        self.context["events_now"] = now

    def generate_output(self, writer: Any) -> None:
        root = Path(self.output_path)
        # Templates cannot change during one build; auto_reload would stat base.html at every `extends`.
        self.env.auto_reload = False
        # Compiling the theme is a tenth of a small build; Jinja keys the cache on each template's source.
        self.env.bytecode_cache = _bytecode_cache(self.events_settings.cache_dir / "jinja")
        common = {**self.context, "SITEURL": self.settings.get("SITEURL", "")}
        self.env.globals["cached_event_item"] = self._event_item_renderer(common["SITEURL"])
        # Loaded before the work is split, so a forked child inherits them compiled.
        templates = {name: self.get_template(name) for name in sorted({spec.template for spec in self.plan.pages})}

        def write(jobs: Sequence[PageSpec | _OtherFiles]) -> dict[str, int]:
            output = _Output(root)
            files = pages_written = 0
            for job in jobs:
                if isinstance(job, PageSpec):
                    html = templates[job.template].render({**common, **job.context, "page_path": job.path})
                    before = output.written
                    output.write(job.path, html.encode("utf-8"))
                    pages_written += output.written - before
                    continue
                for artifact in self.plan.artifacts():
                    output.write(artifact.path, artifact.content)
                    files += 1
            return {"files": files, "written": output.written, "pages_written": pages_written}

        pages = self.plan.pages
        # Planning and writing the other files takes about as long as rendering
        # two thirds of the pages (measured with 2,500 events), so the child gets
        # them and a sixth of the pages, and each process does half the work.
        ours = [spec for number, spec in enumerate(pages) if number % 6 != 5]
        theirs: list[PageSpec | _OtherFiles] = [_OtherFiles(), *pages[5::6]]
        counts = share_with_child(list[PageSpec | _OtherFiles](ours), theirs, write)
        log.info("events: %d pages and %d files, %d rewritten", len(pages), counts["files"], counts["written"])
        if self.events_settings.search:
            from events.run.search_index import index_site

            index_site(root, counts["pages_written"])

    def _event_item_renderer(self, siteurl: str) -> Any:
        """The listing entry of an event, rendered once per build however many listings show it.

        An event appears on its day, week and month pages, its state, group
        and topic pages and the home page; rendering its entry once keeps
        listing pages from dominating generation time.
        """
        macro = self.get_template("_event_item").make_module({"SITEURL": siteurl}).event_item
        rendered: dict[tuple[str, str, bool], Any] = {}

        def event_item(view: Any, continuing: bool = False) -> Any:
            key = (view.stored.event_id, view.start.isoformat(), bool(continuing))
            if key not in rendered:
                rendered[key] = macro(view, continuing)
            return rendered[key]

        return event_item


@dataclass(frozen=True)
class _OtherFiles:
    """The job of planning and writing every non-HTML file (JSON, feeds, .ics downloads, sitemap)."""


def _bytecode_cache(folder: Path) -> FileSystemBytecodeCache | None:
    """Compiled templates kept between builds; none when the folder cannot be made (the build only compiles)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        log.debug("events: no template cache in %s: %s", folder, error)
        return None
    return FileSystemBytecodeCache(str(folder))


class _Output:
    """Writes files atomically, and only when their bytes changed, so an unchanged file keeps its mtime."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._folders: set[Path] = set()
        self.written = 0

    def write(self, relative: str, content: bytes) -> None:
        path = self._root / relative
        folder = path.parent
        if folder not in self._folders:
            folder.mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)
        try:
            if path.stat().st_size == len(content) and path.read_bytes() == content:
                return
        except FileNotFoundError:
            # A new file: no reader can see a half-written old version, and a
            # run stopped mid-write leaves a file the next run rewrites.
            path.write_bytes(content)
            self.written += 1
            return
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_bytes(content)
        temporary.replace(path)
        self.written += 1
