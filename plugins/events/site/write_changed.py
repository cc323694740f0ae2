"""Writing into output/ only what changed, so an unchanged file keeps its modification time.

The manifest takes the digest of a file older than itself from the previous
manifest (`PreviousBuild.digests`), and whatever copies or serves output/ by time
(rsync, a web server's Last-Modified) sees a file as changed when its mtime
moves: an unchanged night should leave every file as it was. An existing file is
replaced atomically, through a temporary file in its own folder, so no
reader and no run stopped midway sees half of it; a new file is written in
place (a half-written one differs from what the next run plans, which then
writes it again, and pruning removes a `.tmp` file left behind).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

__all__ = ["copy_changed", "write_if_changed"]


def write_if_changed(path: Path, content: bytes) -> bool:
    """Write `content` to `path` unless the file already holds exactly these bytes; True when it was written.

    The folder must exist.
    """
    try:
        if path.stat().st_size == len(content) and path.read_bytes() == content:
            return False
    except FileNotFoundError:
        path.write_bytes(content)
        return True
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(content)
    temporary.replace(path)
    return True


def copy_changed(sources: Mapping[str, Path], output: Path) -> list[str]:
    """Copy each source file to its path under `output` ('/' separators) where the bytes differ; the paths written, sorted."""
    written: list[str] = []
    folders: set[Path] = set()
    for relative in sorted(sources):
        destination = output / relative
        if destination.parent not in folders:
            destination.parent.mkdir(parents=True, exist_ok=True)
            folders.add(destination.parent)
        if write_if_changed(destination, sources[relative].read_bytes()):
            written.append(relative)
    return written
