"""Pagefind's index made byte-stable: the same pages always give the same files.

Pagefind writes each filter's values, and the list of filters in its
metadata file, in hash-map order, which changes from run to run; the files
are named by a hash of their content, so an unchanged site would upload new
index files every night. This sorts those lists, renames the files by the
new content, and points the metadata and `pagefind-entry.json` at them.
Everything else Pagefind writes is already stable.

The files are gzip-compressed "pagefind_dcd" + CBOR (RFC 8949); the small
codec below covers the types Pagefind writes (integers, strings, arrays,
maps) in their shortest form, and a file it would not write back
byte-for-byte is left alone.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
from pathlib import Path
from typing import Any

__all__ = ["IndexFormatError", "cbor_decode", "cbor_encode", "stabilize_index"]

log = logging.getLogger(__name__)

SIGNATURE = b"pagefind_dcd"


class IndexFormatError(ValueError):
    """A Pagefind file is not in the format this module knows."""


def cbor_decode(data: bytes) -> Any:
    value, end = _decode(data, 0)
    if end != len(data):
        raise IndexFormatError(f"{len(data) - end} bytes after the CBOR value")
    return value


def cbor_encode(value: Any) -> bytes:
    if isinstance(value, bool) or value is None:
        raise IndexFormatError(f"unsupported CBOR value {value!r}")
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        encoded = value.encode("utf-8")
        return _head(3, len(encoded)) + encoded
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(cbor_encode(item) for item in value)
    if isinstance(value, dict):
        return _head(5, len(value)) + b"".join(cbor_encode(k) + cbor_encode(v) for k, v in value.items())
    raise IndexFormatError(f"unsupported CBOR value {value!r}")


def _head(major: int, argument: int) -> bytes:
    if argument < 24:
        return bytes([major << 5 | argument])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if argument < 1 << (8 * size):
            return bytes([major << 5 | info]) + argument.to_bytes(size, "big")
    raise IndexFormatError(f"integer {argument} too large")


def _decode(data: bytes, pos: int) -> tuple[Any, int]:
    if pos >= len(data):
        raise IndexFormatError("truncated CBOR")
    major, info = data[pos] >> 5, data[pos] & 31
    pos += 1
    if info < 24:
        argument = info
    elif info in (24, 25, 26, 27):
        size = 1 << (info - 24)
        argument, pos = int.from_bytes(data[pos : pos + size], "big"), pos + size
    else:
        raise IndexFormatError(f"unsupported CBOR item {data[pos - 1]:#x}")
    if major == 0:
        return argument, pos
    if major == 1:
        return -1 - argument, pos
    if major in (2, 3):
        chunk = data[pos : pos + argument]
        return (chunk if major == 2 else chunk.decode("utf-8")), pos + argument
    if major == 4:
        items = []
        for _ in range(argument):
            item, pos = _decode(data, pos)
            items.append(item)
        return items, pos
    if major == 5:
        mapping = {}
        for _ in range(argument):
            key, pos = _decode(data, pos)
            mapping[key], pos = _decode(data, pos)
        return mapping, pos
    raise IndexFormatError(f"unsupported CBOR major type {major}")


def _read(path: Path) -> Any:
    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(SIGNATURE):
        raise IndexFormatError(f"{path.name}: no Pagefind signature")
    body = raw[len(SIGNATURE) :]
    value = cbor_decode(body)
    if cbor_encode(value) != body:
        raise IndexFormatError(f"{path.name}: would not be written back as it was")
    return value


def _write(folder: Path, prefix: str, digits: int, suffix: str, value: Any) -> str:
    """Writes `value` under a name from its content; returns the name's hash part ("en_1a2b3c4")."""
    raw = SIGNATURE + cbor_encode(value)
    name = f"{prefix}_{hashlib.sha256(raw).hexdigest()[:digits]}"
    (folder / f"{name}{suffix}").write_bytes(gzip.compress(raw, compresslevel=9, mtime=0))
    return name


def _is_name_pairs(value: Any, second: type) -> bool:
    return isinstance(value, list) and bool(value) and all(
        isinstance(p, list) and len(p) == 2 and isinstance(p[0], str) and isinstance(p[1], second) for p in value
    )


def stabilize_index(index: Path) -> bool:
    """Rewrites `index` (output/pagefind) in a stable order; False (and the index untouched) when its format is unknown."""
    entry_path = index / "pagefind-entry.json"
    try:
        entry = json.loads(entry_path.read_text(encoding="utf-8"))
        plans = []
        for language, info in entry["languages"].items():
            meta_path = index / f"pagefind.{info['hash']}.pf_meta"
            meta = _read(meta_path)
            if not isinstance(meta, list):
                raise IndexFormatError(f"{meta_path.name}: not a list")
            filter_lists = [
                item for item in meta
                if _is_name_pairs(item, str) and all((index / "filter" / f"{h}.pf_filter").is_file() for _, h in item)
            ]
            filters = {h: _read(index / "filter" / f"{h}.pf_filter") for lst in filter_lists for _, h in lst}
            plans.append((language, info, meta_path, meta, filter_lists, filters))
    except (OSError, KeyError, TypeError, ValueError, EOFError) as error:
        log.warning("events: search index left in Pagefind's own order: %s", error)
        return False
    for language, info, meta_path, meta, filter_lists, filters in plans:
        renamed = {}
        for old, data in filters.items():
            if isinstance(data, list) and len(data) == 2 and _is_name_pairs(data[1], list):
                data[1].sort(key=lambda pair: pair[0])
            renamed[old] = _write(index / "filter", language, 7, ".pf_filter", data)
            if renamed[old] != old:
                (index / "filter" / f"{old}.pf_filter").unlink()
        for pairs in filter_lists:
            for pair in pairs:
                pair[1] = renamed[pair[1]]
            pairs.sort(key=lambda pair: pair[0])
        for item in meta:
            if _is_name_pairs(item, list):  # sort orders, one per data-pagefind-sort key
                item.sort(key=lambda pair: pair[0])
        new_hash = _write(index, f"pagefind.{language}", 10, ".pf_meta", meta).removeprefix("pagefind.")
        if new_hash != info["hash"]:
            meta_path.unlink()
        info["hash"] = new_hash
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return True
