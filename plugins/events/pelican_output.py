"""What Pelican itself puts in output/, written only when its bytes changed.

The plugin writes its own pages and files only when they changed, but two
kinds of file come from Pelican: the pages it renders from `content/`
(through its `Writer`, which truncates and rewrites each one every build)
and the theme's static files (which its `StaticGenerator` copies every
build). So that an unchanged night leaves every file's modification time
alone, the plugin hands Pelican `ChangedFilesWriter` (its `get_writer`
signal) and copies the theme's static files itself (`ThemeStaticGenerator`,
from `EVENTS_THEME_STATIC_PATHS`, with Pelican's `THEME_STATIC_PATHS` set
to `[]` in `pelicanconf.py`).

This module imports Pelican, the only one besides `generator.py`: a writer
Pelican accepts must be its `Writer`, keeping the same record of the files
written (`_written_files`, which `finish_build` reads to plan the manifest).
"""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from pelican.writers import FileOverwriteFailedError, Writer

from events.settings import EventsSettings
from events.site.manifest import file_digest, theme_static_sources
from events.site.urls import asset_url
from events.site.write_changed import copy_changed, write_if_changed

__all__ = ["ChangedFilesWriter", "ThemeStaticGenerator", "add_asset_links", "asset_versions", "copied_theme_paths", "theme_static_paths"]

log = logging.getLogger(__name__)


class ChangedFilesWriter(Writer):  # type: ignore[misc]  # Pelican is untyped
    """Pelican's `Writer`, but a file is replaced (atomically) only when the text rendered for it differs.

    Everything else is Pelican's: the feeds and pages it renders, the
    signals it sends, and its rules against writing one file twice.
    """

    def _open_w(self, filename: str, encoding: str, override: bool = False) -> Any:
        # The same bookkeeping as Writer._open_w (Pelican 4.12), which then opens the file for writing:
        # that would truncate it, so the checks are repeated here and the text is buffered instead.
        if filename in self._overridden_files:
            if override:
                raise FileOverwriteFailedError(f'Failed to overwrite "{filename}" a second time (was previously overwritten)')
            log.info('Skipping "%s", not overwriting', filename)
            filename = os.devnull
        elif filename in self._written_files:
            if override:
                log.info('Overwriting "%s"', filename)
            else:
                raise FileOverwriteFailedError(
                    f'Failed to overwrite "{filename}" as Pelican has already written to it previously (set `override=True` if intended)'
                )
        if override:
            self._overridden_files.add(filename)
        self._written_files.add(filename)
        if filename == os.devnull:
            return open(filename, "w", encoding=encoding)  # Pelican's own way of discarding a write
        return _ChangedFile(Path(filename), encoding)


class _ChangedFile(io.StringIO):
    """A text file held in memory; on a clean close its file is written when its bytes differ.

    A write interrupted by an error leaves the previous file as it was.
    """

    def __init__(self, path: Path, encoding: str) -> None:
        super().__init__()
        self._path = path
        self._encoding = encoding
        self._abandoned = False

    def close(self) -> None:
        if not self.closed and not self._abandoned:
            # open(..., "w") would turn "\n" into the platform's line separator: so does this.
            text = self.getvalue() if os.linesep == "\n" else self.getvalue().replace("\n", os.linesep)
            if not write_if_changed(self._path, text.encode(self._encoding)):
                log.debug("%s unchanged, not rewritten", self._path)
        super().close()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None) -> None:
        self._abandoned = kind is not None
        self.close()


def asset_versions(settings: Mapping[str, Any]) -> dict[str, str]:
    """The output path of each theme static file ("theme/js/site.js"), with the start of its SHA-256."""
    sources = theme_static_sources(
        Path(str(settings.get("THEME", ""))),
        theme_static_paths(settings),
        str(settings.get("THEME_STATIC_DIR", "theme")),
        settings.get("IGNORE_FILES", ()),
    )
    return {path: file_digest(source)[:12] for path, source in sorted(sources.items())}


def add_asset_links(pelican: Any) -> None:
    """Pelican's `initialized` signal: every generator's templates get `asset(path)`, a theme file's link with `?v=`
    and a digest of its bytes, so a browser holding yesterday's script for an hour fetches tonight's with tonight's pages.

    Set through JINJA_GLOBALS, before Pelican makes its generators: each has its own template environment.
    """
    settings = pelican.settings
    versions = asset_versions(settings)
    site_url = str(settings.get("SITEURL", ""))

    def asset(path: str) -> str:
        return asset_url(site_url, path, versions.get(path, ""))

    settings["JINJA_GLOBALS"] = {**dict(settings.get("JINJA_GLOBALS") or {}), "asset": asset}


def theme_static_paths(settings: Mapping[str, Any]) -> tuple[str, ...]:
    """Every theme path copied to THEME_STATIC_DIR, by Pelican (THEME_STATIC_PATHS) or by the plugin; for the manifest."""
    pelicans = tuple(str(p) for p in settings.get("THEME_STATIC_PATHS", ["static"]))
    return tuple(dict.fromkeys((*pelicans, *_events_settings(settings).theme_static_paths)))


def copied_theme_paths(settings: Mapping[str, Any]) -> tuple[str, ...]:
    """The paths of EVENTS_THEME_STATIC_PATHS the plugin copies: those not also in Pelican's THEME_STATIC_PATHS.

    Pelican copies its own after the plugin (its static generator runs
    last), rewriting every file, so copying them here too would be wasted.
    """
    pelicans = {str(p) for p in settings.get("THEME_STATIC_PATHS", ["static"])}
    ours = _events_settings(settings).theme_static_paths
    both = [p for p in ours if p in pelicans]
    if both:
        log.warning(
            "events: %s in both THEME_STATIC_PATHS and EVENTS_THEME_STATIC_PATHS: Pelican copies it, rewriting every file each build;"
            " set THEME_STATIC_PATHS = [] to have only changed files written",
            ", ".join(both),
        )
    return tuple(p for p in ours if p not in pelicans)


class ThemeStaticGenerator:
    """Copies the theme's static files (EVENTS_THEME_STATIC_PATHS) as Pelican would, but only those whose bytes changed.

    A Pelican generator by shape (Pelican needs no more than the constructor
    and `generate_output`): it writes nothing through Pelican's writer.
    """

    def __init__(self, *, settings: Mapping[str, Any], theme: str, output_path: str, **_: Any) -> None:
        self._settings = settings
        self._theme = Path(theme)
        self._output = Path(output_path)
        # Checked before anything is written, as the events generator checks every EVENTS_* setting.
        self._paths = copied_theme_paths(settings)

    def generate_output(self, writer: Any) -> None:
        del writer  # the files are copied, not rendered
        for path in self._paths:
            if not (self._theme / path).exists():
                log.warning("events: EVENTS_THEME_STATIC_PATHS: %s is not in the theme %s; nothing copied from it", path, self._theme)
        sources = theme_static_sources(self._theme, self._paths, str(self._settings.get("THEME_STATIC_DIR", "theme")), self._settings.get("IGNORE_FILES", ()))
        written = copy_changed(sources, self._output)
        log.info("events: %d theme static files, %d rewritten", len(sources), len(written))


def _events_settings(settings: Mapping[str, Any]) -> EventsSettings:
    return EventsSettings.from_mapping({k: v for k, v in settings.items() if k.startswith("EVENTS_") and k != "EVENTS_BASE_PATH"}, Path.cwd())
