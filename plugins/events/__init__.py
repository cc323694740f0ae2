"""The events plugin for Pelican: collect group calendars, write event pages.

Collection code lives in this package free of Pelican imports; only
`generator.py` and `pelican_output.py` import Pelican, and only `register`
touches its signals.
"""

from __future__ import annotations

from typing import Any


def _generators(pelican: Any) -> type:
    from events.generator import generator_for

    return generator_for(pelican)


def _theme_static(pelican: Any) -> type:
    from events.pelican_output import ThemeStaticGenerator

    return ThemeStaticGenerator


def _writer(pelican: Any) -> type:
    from events.pelican_output import ChangedFilesWriter

    return ChangedFilesWriter


def _initialized(pelican: Any) -> None:
    from events.pelican_output import add_asset_links

    add_asset_links(pelican)


def _finalized(pelican: Any) -> None:
    from events.generator import finish_build

    finish_build(pelican)


def register() -> None:
    from pelican import signals

    signals.initialized.connect(_initialized)
    signals.get_generators.connect(_generators)
    signals.get_generators.connect(_theme_static)
    signals.get_writer.connect(_writer)
    signals.finalized.connect(_finalized)
