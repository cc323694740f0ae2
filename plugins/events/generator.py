"""The Pelican generator: reads the store, renders the planned pages.

The only module that imports Pelican. Each Pelican run gets its own
generator class bound to a `BuildRecord` (`generator_for`); when Pelican has
written everything (its `finalized` signal) `finish_build` turns that record
into the build's manifest and prunes output/ to it (`site/manifest.py`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from jinja2 import FileSystemBytecodeCache
from pelican.generators import Generator

from events.clock import collection_window
from events.inputs.groups import load_categories, load_groups
from events.pelican_output import asset_versions, theme_static_paths
from events.settings import EventsSettings
from events.site.duplicates import merge_duplicates
from events.site.manifest import PreviousBuild, digest, finish_output, theme_static_files, unsafe_to_prune
from events.site.plan import SitePlan, plan_site
from events.site.records import PageSpec, SiteInfo
from events.site.render_cache import FileStamp, InputDigests, RenderCache, Uncacheable, attributes_read, context_names, template_salt
from events.site.render_pool import default_processes, share_work
from events.site.search_index import INDEX_FOLDER, event_shards
from events.site.write_changed import write_if_changed
from events.store import open_store
from events.version import __version__

__all__ = ["BuildRecord", "EventsGenerator", "finish_build", "generator_for"]

log = logging.getLogger(__name__)

# Pages per batch of work: small enough that processes finish together, large enough that taking one costs nothing.
_PAGE_BATCH = 40


@dataclass
class BuildRecord:
    """What one Pelican run planned, gathered while it writes, read by `finish_build` once it has finished."""

    digests: dict[str, str] = field(default_factory=dict)  # the plugin's files: path -> SHA-256
    pelican_files: set[str] = field(default_factory=set)  # files Pelican's writer wrote (its `_written_files`)
    copied_files: set[str] = field(default_factory=set)  # content files Pelican copies (static files, OUTPUT_SOURCES)
    counts: dict[str, int] = field(default_factory=dict)
    previous: PreviousBuild | None = None  # the manifest output/ held when generation began, read once
    writer_known: bool = False  # False: another plugin's writer, whose files cannot be known, so nothing is pruned
    generated: bool = False  # the plugin wrote everything it planned


class EventsGenerator(Generator):  # type: ignore[misc]  # Pelican is untyped
    """Collects (unless EVENTS_COLLECT is off), then writes the event pages and files."""

    build: BuildRecord | None = None  # set on the class `generator_for` makes for one run

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
            repository=settings.repository,
            repository_branch=settings.repository_branch,
            local_origin=settings.local_origin,
        )
        self.plan: SitePlan = plan_site(events, now, site)
        self.context["events_now"] = now

    def generate_output(self, writer: Any) -> None:
        root = Path(self.output_path)
        # Read before anything is written: the digests of files no newer than it are taken from it.
        previous = PreviousBuild.read(root)
        if self.build is not None:
            self.build.previous = previous
        # Templates cannot change during one build; auto_reload would stat base.html at every `extends`.
        self.env.auto_reload = False
        # Compiling the theme is a tenth of a small build; Jinja keys the cache on each template's source.
        self.env.bytecode_cache = _bytecode_cache(self.events_settings.cache_dir / "jinja")
        common = {**self.context, "SITEURL": self.settings.get("SITEURL", "")}
        self.env.globals["cached_event_item"] = self._event_item_renderer(common["SITEURL"])
        # Loaded before the work is split, so a forked child inherits them compiled.
        templates = {name: self.get_template(name) for name in sorted({spec.template for spec in self.plan.pages})}
        # Only the context values a page's templates read count in its digest: "today" is in every
        # context, but an event page does not show it, so it is not rendered again the next day.
        reads = {name: context_names(self.env, str(template.name)) for name, template in templates.items()}
        cache_file = self.events_settings.cache_dir / "pages.json"
        cache = RenderCache() if self.events_settings.full_render else RenderCache.load(cache_file)
        site_values = {
            "SITEURL": common["SITEURL"],
            "SITENAME": self.settings.get("SITENAME", ""),
            "pages": sorted((str(p.url), str(p.title)) for p in self.context.get("pages", ())),
            # Pages link stylesheets and scripts with a digest of their bytes (`add_asset_links`).
            "assets": asset_versions(self.settings),
        }
        template_folders = [Path(self.theme) / "templates"]
        salt = template_salt(template_folders, site_values, __version__)
        # A group's last fetch changes the site record every night, but no template reads it: only
        # the fields templates read of `site` count, so one group's change re-renders its own pages.
        site_fields = attributes_read(template_folders, "site")
        read_only: dict[type, frozenset[str]] = {SiteInfo: site_fields} if site_fields is not None else {}

        # One per process: a forked child inherits it, and its memo of shared objects then serves every batch it takes.
        digests = InputDigests(salt, read_only)

        def write(jobs: Sequence[PageSpec | _OtherFiles]) -> dict[str, Any]:
            output = _Output(root)
            stamps: dict[str, list[Any]] = {}
            files = rendered = 0
            for job in jobs:
                if isinstance(job, PageSpec):
                    context = job.context  # made here for a deferred page, and dropped with the job
                    try:
                        inputs = digests.page(job.path, job.template, context, reads[job.template])
                    except Uncacheable as reason:
                        log.debug("events: %s is rendered every build: %s", job.path, reason)
                        inputs = ""
                    kept = cache.stamps.get(job.path)
                    if inputs and kept is not None and cache.fresh(root, job.path, inputs):
                        output.digests[job.path] = kept.sha256
                        stamps[job.path] = [kept.inputs, kept.size, kept.mtime_ns, kept.sha256]
                        continue
                    html = templates[job.template].render({**common, **context, "page_path": job.path})
                    output.write(job.path, html.encode("utf-8"))
                    rendered += 1
                    if inputs:
                        info = (root / job.path).stat()
                        stamps[job.path] = [inputs, info.st_size, info.st_mtime_ns, output.digests[job.path]]
                    continue
                for artifact in self.plan.artifact_parts()[job.part]():
                    output.write(artifact.path, artifact.content)
                    files += 1
            return {
                "files": files,
                "written": output.written,
                "rendered": rendered,
                "digests": output.digests,
                "stamps": stamps,
            }

        pages = self.plan.pages
        # The other files (feeds, .ics downloads, JSON) are a few long jobs, taken first; the pages follow in batches.
        batches: list[Sequence[PageSpec | _OtherFiles]] = [[_OtherFiles(part)] for part in range(len(self.plan.artifact_parts()))]
        batches += [pages[start : start + _PAGE_BATCH] for start in range(0, len(pages), _PAGE_BATCH)]
        processes = self.events_settings.render_processes or default_processes()
        counts = share_work(batches, write, processes)
        RenderCache({path: FileStamp(*stamp) for path, stamp in counts["stamps"].items()}).save(cache_file)
        log.info(
            "events: %d pages (%d rendered) and %d files, %d rewritten", len(pages), counts["rendered"], counts["files"], counts["written"]
        )
        if self.events_settings.search:
            self._index(root, counts["digests"])
        if self.build is not None:
            self._record(self.build, counts, writer)
            # The search index is part of the planned site: kept (not pruned) whether rebuilt tonight or not.
            index = root / INDEX_FOLDER
            if self.events_settings.search and index.is_dir():
                index_files = [p.relative_to(root).as_posix() for p in sorted(index.rglob("*")) if p.is_file()]
                self.build.digests.update(previous.digests(root, index_files))

    def _index(self, root: Path, digests: dict[str, str]) -> None:
        """Pagefind's index of the event pages, a bundle per month; a failure keeps the previous bundles and the rest of the site."""
        from events.site.search_index import SearchIndexError, index_shards

        try:
            result = index_shards(root, event_shards(self.plan.views), digests)
        except (SearchIndexError, OSError) as error:
            log.error("events: search index not written: %s; the previous index (if any) stays", error)
            return
        for shard, reason in result.failed:
            log.error("events: search index of %s not written: %s; its previous bundle (if any) stays", shard, reason)

    def _record(self, build: BuildRecord, counts: dict[str, Any], writer: Any) -> None:
        """What this run planned, for the manifest; Pelican's own files are read from its writer."""
        build.digests.update(counts["digests"])
        build.counts.update(
            pages=len(self.plan.pages), pages_rendered=int(counts["rendered"]), files=int(counts["files"]), rewritten=int(counts["written"])
        )
        written = getattr(writer, "_written_files", None)
        if isinstance(written, set):
            # The articles and pages generators write before this one; nothing writes through Pelican's writer after it.
            build.pelican_files = written
            build.writer_known = True
        # Pelican's StaticGenerator copies these after this generator, its own files list known by now.
        build.copied_files = {str(sc.save_as) for sc in self.context.get("staticfiles", ())}
        if self.settings.get("OUTPUT_SOURCES"):
            extension = str(self.settings.get("OUTPUT_SOURCES_EXTENSION", ".text"))
            for content in (*self.context.get("articles", ()), *self.context.get("pages", ())):
                for item in (content, *getattr(content, "translations", ())):
                    build.copied_files.add(str(Path(str(item.save_as)).with_suffix("")) + extension)
        build.generated = True

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


def generator_for(pelican: Any) -> type[EventsGenerator]:
    """The generator class of one Pelican run, bound to that run's record (kept on the Pelican
    object, where `finish_build` finds it): per-run state, no module-level state."""
    record = BuildRecord()
    pelican.events_build = record
    return type("EventsGenerator", (EventsGenerator,), {"build": record, "__module__": __name__})


def finish_build(pelican: Any) -> None:
    """Pelican's `finalized` signal: every file is written. Prune output/ to the manifest and write it.

    Pelican sends `finalized` only after every generator wrote its output,
    so a build that fails midway prunes nothing.
    """
    record: BuildRecord | None = getattr(pelican, "events_build", None)
    if record is None or not record.generated:
        return
    settings = pelican.settings
    output = Path(pelican.output_path)
    if not record.writer_known:
        log.warning("events: another plugin's writer is in use; output/ is not pruned (its files are unknown)")
        return
    protected = [Path(pelican.path), Path(pelican.theme), Path.cwd()]
    folder = unsafe_to_prune(output, protected)
    if folder is not None:
        log.warning("events: the output folder %s holds %s; nothing is pruned there", output, folder)
        return
    static = theme_static_files(
        Path(pelican.theme),
        theme_static_paths(settings),
        str(settings.get("THEME_STATIC_DIR", "theme")),
        settings.get("IGNORE_FILES", ()),
    )
    planned = dict(record.digests)
    root = output.resolve()
    others = {_relative(Path(p), root) for p in record.pelican_files} - {""}
    unplanned = [p for p in sorted(others | static | record.copied_files) if p not in planned and (output / p).is_file()]
    previous = record.previous or PreviousBuild.read(output)
    planned.update(previous.digests(output, unplanned))
    counts = finish_output(output, planned, settings.get("OUTPUT_RETENTION", ()), extra=record.counts, previous=previous)
    record.counts.update(counts.as_dict())
    log.info(
        "events: %d files planned, %d written, %d unchanged, %d removed",
        counts.planned,
        counts.written,
        counts.unchanged,
        counts.removed,
    )


def _relative(path: Path, root: Path) -> str:
    """`path` relative to `root` with '/' separators; empty when it lies outside (Pelican writes nothing there)."""
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return ""


@dataclass(frozen=True)
class _OtherFiles:
    """The job of planning and writing one part of the non-HTML files (`SitePlan.artifact_parts`)."""

    part: int


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
        self.digests: dict[str, str] = {}

    def write(self, relative: str, content: bytes) -> None:
        self.digests[relative] = digest(content)
        path = self._root / relative
        folder = path.parent
        if folder not in self._folders:
            folder.mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)
        if write_if_changed(path, content):
            self.written += 1
