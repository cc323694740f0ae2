"""The build's manifest: every file a build planned, with its SHA-256, and pruning output/ to it.

Pelican writes into output/ and never removes anything there
(`DELETE_OUTPUT_DIRECTORY = False`, so unchanged files keep their mtimes),
and `invoke publish` deletes from the bucket what output/ lacks: a page of
an event or a group that no longer exists would stay live forever. So once
a build has written everything it planned, whatever else is in output/ is
removed, files first, then the folders left empty, and the manifest is
written as `output/.manifest.json`. Publishing leaves hidden files out, so
the manifest never reaches the bucket. A build that stops midway never
gets here and removes nothing.

The manifest is compact JSON with sorted keys:
`{"version": 1, "files": {path: sha256}, "build": {counts}}`; `files` is
the same for the same site, `build` says what this build changed.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import logging
import os
import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "MANIFEST_NAME",
    "BuildCounts",
    "Manifest",
    "PreviousBuild",
    "build_counts",
    "digest",
    "file_digest",
    "finish_output",
    "read_manifest",
    "stray_files",
    "theme_static_files",
    "theme_static_sources",
    "unsafe_to_prune",
]

log = logging.getLogger(__name__)

MANIFEST_NAME = ".manifest.json"
_VERSION = 1
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Manifest:
    """Every planned file of a build, by path under output/ ('/' separators), with its SHA-256."""

    files: Mapping[str, str]
    build: Mapping[str, int]

    def to_json(self) -> bytes:
        data = {"version": _VERSION, "files": dict(self.files), "build": dict(self.build)}
        return (json.dumps(data, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")

    @classmethod
    def from_json(cls, content: bytes) -> Manifest:
        data = json.loads(content)
        if not isinstance(data, dict) or data.get("version") != _VERSION or not isinstance(data.get("files"), dict):
            raise ValueError("not a version 1 build manifest")
        files = {str(path): str(sha) for path, sha in data["files"].items()}
        build = {str(k): int(v) for k, v in (data.get("build") or {}).items() if isinstance(v, int)}
        return cls(files, build)


@dataclass(frozen=True)
class BuildCounts:
    """What one build did to output/, compared with the previous build's manifest."""

    planned: int  # files in the manifest
    written: int  # new, or content changed since the previous manifest (all of them without one)
    unchanged: int
    removed: int  # files pruned: in output/ but not planned

    def as_dict(self) -> dict[str, int]:
        return {"planned": self.planned, "written": self.written, "unchanged": self.unchanged, "removed": self.removed}


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def file_digest(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def stray_files(existing: Iterable[str], planned: Mapping[str, str] | Iterable[str], keep: Iterable[str]) -> list[str]:
    """The files of `existing` that are not planned, sorted; the manifest and anything under a `keep` name
    (Pelican's OUTPUT_RETENTION: top-level names such as ".git") stay."""
    wanted = set(planned)
    kept = {name.strip("/") for name in keep if name.strip("/")}
    return sorted(
        path
        for path in existing
        if path not in wanted and path != MANIFEST_NAME and path.split("/", 1)[0] not in kept
    )


def theme_static_files(theme: Path, static_paths: Iterable[str], static_dir: str, ignores: Iterable[str]) -> set[str]:
    """The output paths the theme's static files are copied to (see `theme_static_sources`)."""
    return set(theme_static_sources(theme, static_paths, static_dir, ignores))


def theme_static_sources(theme: Path, static_paths: Iterable[str], static_dir: str, ignores: Iterable[str]) -> dict[str, Path]:
    """Each output path a theme's static file is copied to, with that file, as Pelican copies them.

    Mirrors `StaticGenerator._copy_paths(THEME_STATIC_PATHS, theme, THEME_STATIC_DIR, output, os.curdir)`
    and `pelican.utils.copy`: a file goes to THEME_STATIC_DIR/<its name>, a folder's contents under
    THEME_STATIC_DIR, leaving out names matching IGNORE_FILES. When two paths give the same output
    path, the later one wins, as its copy would overwrite the earlier one.
    """
    patterns = list(ignores)

    def ignored(name: str) -> bool:
        return any(fnmatch.fnmatch(name, pattern) for pattern in patterns)

    found: dict[str, Path] = {}

    def add(relative: str, source: Path) -> None:
        found[posixpath.normpath(posixpath.join(static_dir, relative)).lstrip("/")] = source

    for static in static_paths:
        source = theme / static
        if ignored(Path(static).name):
            continue
        if source.is_file():
            add(source.name, source)
        elif source.is_dir():
            for folder, subfolders, names in os.walk(source, followlinks=True):
                subfolders[:] = [s for s in subfolders if not ignored(s)]
                relative = Path(folder).relative_to(source).as_posix()
                for name in names:
                    if not ignored(name) and (Path(folder) / name).is_file():
                        add(posixpath.join(relative, name), Path(folder) / name)
    return found


def unsafe_to_prune(output: Path, protected: Iterable[Path]) -> Path | None:
    """The first of `protected` (the content and theme folders, the project) that `output` is or contains:
    pruning there would delete sources, so it is not done."""
    root = output.resolve()
    for folder in protected:
        resolved = folder.resolve()
        if resolved == root or root in resolved.parents:
            return folder
    return None


def read_manifest(output: Path) -> Manifest | None:
    """The manifest a previous build left in `output`, or None (none, or unreadable: then every file counts as written)."""
    try:
        return Manifest.from_json((output / MANIFEST_NAME).read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, AttributeError) as error:
        log.warning("events: ignoring the unreadable %s: %s", output / MANIFEST_NAME, error)
        return None


def build_counts(output: Path) -> dict[str, int]:
    """The counts of the build that last finished in `output` (empty when none recorded them)."""
    manifest = read_manifest(output)
    return dict(manifest.build) if manifest else {}


def finish_output(
    output: Path,
    planned: Mapping[str, str],
    keep: Iterable[str] = (),
    extra: Mapping[str, int] | None = None,
    previous: PreviousBuild | None = None,
) -> BuildCounts:
    """Remove every file of `output` the build did not plan, then the folders left empty; write the manifest.

    Called only once the whole build has been written; `previous` is the
    manifest as the build found it (read here when not given).
    """
    before = (previous or PreviousBuild.read(output)).files
    written = sum(1 for path, sha in planned.items() if before.get(path) != sha)
    existing, empty = _files_under(output)
    stray = stray_files(existing, planned, keep)
    for path in stray:
        (output / path).unlink(missing_ok=True)
    _remove_empty_folders(output, keep, [*empty, *(posixpath.dirname(path) for path in stray)])
    counts = BuildCounts(len(planned), written, len(planned) - written, len(stray))
    manifest = Manifest(dict(sorted(planned.items())), {**(extra or {}), **counts.as_dict()})
    temporary = output / (MANIFEST_NAME + ".tmp")
    temporary.write_bytes(manifest.to_json())
    temporary.replace(output / MANIFEST_NAME)
    if stray:
        shown = ", ".join(stray[:5]) + (f" and {len(stray) - 5} more" if len(stray) > 5 else "")
        log.info("events: removed %d file(s) no longer in the site: %s", len(stray), shown)
    return counts


@dataclass(frozen=True)
class PreviousBuild:
    """The manifest the last finished build left in output/, and when it was written: read once per build."""

    files: Mapping[str, str]
    written_at: int  # the manifest's modification time (ns); -1 without one

    @classmethod
    def read(cls, output: Path) -> PreviousBuild:
        manifest = read_manifest(output)
        if manifest is None:
            return cls({}, -1)
        try:
            return cls(manifest.files, (output / MANIFEST_NAME).stat().st_mtime_ns)
        except OSError:
            return cls({}, -1)

    def digests(self, output: Path, paths: Iterable[str]) -> dict[str, str]:
        """The SHA-256 of each of `paths` under `output`, reading only files changed since this manifest.

        A file whose modification time is older than the manifest is as the
        manifest recorded it: its digest is taken from there. Any other file
        (newer, missing from the manifest, or with no manifest at all, as on
        a fresh checkout) is read and hashed.
        """
        found: dict[str, str] = {}
        for path in paths:
            file = output / path
            sha = self.files.get(path)
            if sha is None or file.stat().st_mtime_ns >= self.written_at:
                sha = file_digest(file)
            found[path] = sha
        return found


def _files_under(output: Path) -> tuple[list[str], list[str]]:
    """Every file (and symlink) under `output` as '/' paths, and the folders with nothing in them; symlinked folders are not followed."""
    found: list[str] = []
    empty: list[str] = []
    root = str(output)
    for folder, subfolders, names in os.walk(root):
        relative = os.path.relpath(folder, root).replace(os.sep, "/")
        prefix = "" if relative == "." else relative + "/"
        found.extend(prefix + name for name in names)
        # A symlink to a folder is listed as a folder by os.walk; it is an entry of its own here.
        found.extend(prefix + s for s in subfolders if os.path.islink(os.path.join(folder, s)))  # noqa: PTH114, PTH118 - strings: pathlib costs a national site seconds here
        if not names and not subfolders and prefix:
            empty.append(relative)
    return found, empty


def _remove_empty_folders(output: Path, keep: Iterable[str], candidates: Iterable[str]) -> None:
    """Remove each candidate folder while it is empty, then its parents while they are (never output/ or a kept name).

    The candidates are the folders of the files just removed and the
    folders found empty (left by a run killed while pruning): walking the
    whole tree again would cost a national site a second each night.
    """
    kept = {name.strip("/") for name in keep}
    for start in sorted(set(candidates), key=lambda folder: -folder.count("/")):
        folder = start
        while folder and folder.split("/", 1)[0] not in kept:
            try:
                (output / folder).rmdir()
            except OSError:  # not empty, or gone already
                break
            folder = posixpath.dirname(folder)
