"""The events plugin for Pelican: collect group calendars, write event pages.

Collection code lives in this package free of Pelican imports; only
`generator.py` imports Pelican, and only `register` touches its signals.
"""

from __future__ import annotations

from typing import Any


def _generators(pelican: Any) -> type:
    from events.generator import generator_for

    return generator_for(pelican)


def _finalized(pelican: Any) -> None:
    from events.generator import finish_build

    finish_build(pelican)


def register() -> None:
    from pelican import signals

    signals.get_generators.connect(_generators)
    signals.finalized.connect(_finalized)
