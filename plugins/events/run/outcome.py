"""What a command-line entry returns: the lines it prints and why it failed."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Outcome"]


@dataclass(frozen=True)
class Outcome:
    """What a command prints, and why it failed ('' when it did not)."""

    lines: tuple[str, ...] = ()
    failure: str = ""
