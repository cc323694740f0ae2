"""Which groups to withdraw: in the store, but no longer among the active group files.

Pure: it takes the group states the store holds, the groups that loaded
and the file names present in the folders, and names the groups to
withdraw and the single events whose files are broken (kept, not withdrawn).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from events.models import Group, GroupState, StoredEvent

__all__ = ["PresentFiles", "Withdrawal", "broken_single_events", "keeps_broken_single_event", "withdrawals"]


@dataclass(frozen=True)
class PresentFiles:
    """The slugs that have a file (`<slug>.yaml` or `.yml`, valid or broken) in each folder."""

    groups: frozenset[str]
    single_events: frozenset[str]


@dataclass(frozen=True)
class Withdrawal:
    group_id: str
    why: str


def withdrawals(
    states: Mapping[str, GroupState], groups: Sequence[Group], present: PresentFiles, reserved: Collection[str]
) -> list[Withdrawal]:
    """Groups the store knows that are to be withdrawn, sorted by slug.

    A group is withdrawn when its file is gone or says `active: false`. A
    file that exists but did not load (invalid YAML or field) is a failed
    group, not a withdrawn one: its events stay until the file is fixed.
    `reserved` slugs (the single-events group) are never withdrawn here.
    """
    loaded = {g.slug: g for g in groups}
    found = []
    for slug in sorted(states):
        if slug in reserved:
            continue
        group = loaded.get(slug)
        if group is not None and not group.active:
            found.append(Withdrawal(slug, "its group file says active: false"))
        elif group is None and slug not in present.groups:
            found.append(Withdrawal(slug, "its group file was removed"))
    return found


def broken_single_events(present: PresentFiles, loaded: Collection[str]) -> frozenset[str]:
    """Slugs of single-event files that exist but did not load."""
    return present.single_events - frozenset(loaded)


def keeps_broken_single_event(broken: frozenset[str]) -> Callable[[StoredEvent], bool]:
    """A `keep` test for `plan_sync`: stored single events whose file is broken stay as they are."""

    def keep(stored: StoredEvent) -> bool:
        return stored.event.source_uid.split("@", 1)[0] in broken

    return keep
