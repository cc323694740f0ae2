"""`invoke validate`: check group, single-event and overlay files, each against its own rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from events.inputs.groups import GroupLoad, load_categories, load_groups
from events.inputs.overlays import OverlayLoad, load_overlays
from events.inputs.single_events import SingleEventLoad, load_single_events
from events.inputs.yaml_files import Problem, one_line, yaml_files
from events.run.outcome import Outcome
from events.run.schema_files import header_problems
from events.settings import EventsSettings

__all__ = ["Validation", "validate_all", "validate_command", "validate_files"]


def validate_files(settings: EventsSettings, only: Sequence[Path] = ()) -> GroupLoad:
    categories = load_categories(settings.categories_file)
    return load_groups(settings.groups_dir, categories, only or None)


@dataclass(frozen=True)
class Validation:
    """What `invoke validate` checks: group files, single events and overlays."""

    groups: GroupLoad
    single_events: SingleEventLoad
    overlays: OverlayLoad
    headers: tuple[Problem, ...] = ()  # a first line naming another kind's schema

    @property
    def problems(self) -> tuple[Problem, ...]:
        return (*self.groups.problems, *self.single_events.problems, *self.overlays.problems, *self.headers)

    def summary(self) -> str:
        return (
            f"{len(self.groups.groups)} group file(s), {len(self.single_events.events)} single event(s), "
            f"{len(self.overlays.overlays)} overlay(s) OK"
        )


def validate_all(settings: EventsSettings, only: Sequence[Path] = ()) -> Validation:
    """Check the given files (each by the folder it is in), or every file of the three folders."""
    categories = load_categories(settings.categories_file)
    if not only:
        return Validation(
            load_groups(settings.groups_dir, categories),
            load_single_events(settings.single_events_dir, categories),
            load_overlays(settings.overlays_dir, categories),
            _headers(settings, yaml_files(settings.groups_dir), yaml_files(settings.single_events_dir), yaml_files(settings.overlays_dir)),
        )
    singles = [p for p in only if _inside(p, settings.single_events_dir)]
    overlays = [p for p in only if _inside(p, settings.overlays_dir)]
    groups = [p for p in only if p not in singles and p not in overlays]
    return Validation(
        load_groups(settings.groups_dir, categories, groups) if groups else GroupLoad((), ()),
        load_single_events(settings.single_events_dir, categories, singles) if singles else SingleEventLoad((), ()),
        load_overlays(settings.overlays_dir, categories, overlays) if overlays else OverlayLoad({}, ()),
        _headers(settings, groups, singles, overlays),
    )


def _headers(settings: EventsSettings, groups: Sequence[Path], singles: Sequence[Path], overlays: Sequence[Path]) -> tuple[Problem, ...]:
    return (
        *header_problems(groups, "group", settings.groups_dir),
        *header_problems(singles, "single-event", settings.single_events_dir),
        *header_problems(overlays, "overlay", settings.overlays_dir),
    )


def _inside(path: Path, folder: Path) -> bool:
    try:
        return Path(path).resolve().parent == folder.resolve()
    except (OSError, RuntimeError):  # a symlink loop: not inside, checked as a group file (and reported there)
        return False


def validate_command(settings: EventsSettings, files: Sequence[Path]) -> Outcome:
    """One line per problem and a failure when there is any; else one summary line.

    Each file is checked on its own, so a broken file is one problem line
    and the others are still checked; only an unreadable categories file
    (the site's own, not a contributor's) stops the check, also in one line.
    """
    try:
        checked = validate_all(settings, files)
    except (OSError, ValueError) as error:
        line = f"{settings.categories_file}: {one_line(error)}"
        return Outcome((line,), "the categories file cannot be read, so no file was checked")
    if checked.problems:
        return Outcome(tuple(map(str, checked.problems)), f"{len(checked.problems)} problem(s) found")
    return Outcome((checked.summary(),))
