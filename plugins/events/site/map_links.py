"""A map link beside each address: an OpenStreetMap search, opened only when the visitor follows it."""

from __future__ import annotations

from urllib.parse import quote

__all__ = ["map_link"]


def map_link(location: str) -> str:
    """The OpenStreetMap search URL of a street address; "" when the location is not one (a URL, "TBA", a bare name)."""
    place = location.strip()
    if not place or place.startswith(("http://", "https://")) or not any(ch.isdigit() for ch in place):
        return ""
    return "https://www.openstreetmap.org/search?query=" + quote(place, safe="")
