"""Where an event happens: city, state, and whether it is online.

Uses usaddress (a maintained US address parser) for street addresses and
falls back on state names and ZIP codes for the rest.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import usaddress

__all__ = ["STATE_NAMES", "Place", "place_of"]

STATE_NAMES = {
    "district of columbia": "DC", "washington dc": "DC", "washington, dc": "DC", "washington d.c.": "DC",
    "maryland": "MD", "virginia": "VA", "west virginia": "WV", "delaware": "DE", "pennsylvania": "PA",
    "new york": "NY", "new jersey": "NJ", "north carolina": "NC", "california": "CA", "texas": "TX",
    "massachusetts": "MA", "illinois": "IL", "florida": "FL", "georgia": "GA", "ohio": "OH",
    "washington": "WA", "colorado": "CO",
}
_CODES = {
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS",
    "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC",
    "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY",
}
_VIRTUAL_HOSTS = re.compile(
    r"(zoom\.us|zoomgov\.com|meet\.google\.com|teams\.microsoft\.com|teams\.live\.com|webex\.com|"
    r"lu\.ma/join|luma\.com/join|gotomeeting\.com|whereby\.com|jit\.si|discord\.gg|youtube\.com/live|twitch\.tv|crowdcast\.io|streamyard\.com)",
    re.IGNORECASE,
)
_ONLINE_WORDS = re.compile(
    r"^\s*(online( event| only)?|virtual( event| meeting)?|remote|webinar|livestream|live stream|"
    r"(via |on )?(zoom|google meet|microsoft teams|teams|webex|discord|gotomeeting|jitsi)( meeting| call| webinar)?|"
    r"(online|virtual) (via|on) [a-z ]+)\s*\.?$",
    re.IGNORECASE,
)
_LINK = re.compile(r"(https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
_CONNECTOR_END = re.compile(r"(\s+(and|or|&|at|via|join( at)?)|[:(])\s*$", re.IGNORECASE)
_COUNTRY_END = re.compile(r",?\s*(united states( of america)?|usa|u\.s\.a\.|us)\s*$", re.IGNORECASE)
_STATE_ZIP = re.compile(r"\b([A-Z]{2})\.?\s+(\d{5})(?:-\d{4})?\b")
_STATE_END = re.compile(r",\s*([A-Z]{2})\s*(?:,?\s*(?:USA|US|United States))?\s*$")
_ZIP = re.compile(r"\b(\d{5})(?:-\d{4})?\b")


@dataclass(frozen=True)
class Place:
    label: str
    city: str
    state: str
    location_type: str


def place_of(location: str, attendance_mode: str = "", description: str = "", default_state: str = "") -> Place:
    """City, state and attendance of a free-text location.

    Virtual: a location that is only a link, only words like "Online" or
    "Microsoft Teams Meeting", or an online attendance mode (JSON-LD).
    Hybrid: a street address together with a meeting link, or a mixed
    attendance mode.
    """
    label = " ".join(location.split())
    rest = _LINK.sub(" ", label)
    if rest != label:
        rest = _CONNECTOR_END.sub("", " ".join(rest.split())).strip(" ,;:|/-–—()")
        rest = "" if rest.lower() in ("and", "or", "&", "join", "link") else rest
    has_link = rest != label
    virtual_link = bool(_VIRTUAL_HOSTS.search(label)) or (has_link and not rest)
    online_words = bool(rest) and bool(_ONLINE_WORDS.match(rest))
    physical = bool(rest) and not online_words
    mode = attendance_mode.lower()
    description_says_hybrid = bool(_VIRTUAL_HOSTS.search(description or "")) and "hybrid" in (description or "").lower()
    if "mixed" in mode:
        kind = "hybrid"
    elif "online" in mode and not physical:
        kind = "virtual"
    elif physical and (virtual_link or "online" in mode or description_says_hybrid):
        kind = "hybrid"
    elif physical:
        kind = "in_person"
    elif virtual_link or online_words or "online" in mode:
        kind = "virtual"
    else:
        kind = "in_person" if default_state else "virtual" if _VIRTUAL_HOSTS.search(description or "") else "in_person"
    if kind == "virtual":
        return Place(label or "Online", "", "", kind)
    city, state = _city_state(rest if physical else "")
    return Place(label, city, state or default_state, kind)


@functools.lru_cache(maxsize=4096)
def _city_state(label: str) -> tuple[str, str]:
    """(city, state) of a place; memoized because a recurring event repeats its location."""
    label = _COUNTRY_END.sub("", label).strip(" ,")
    if not label:
        return "", ""
    city = state = ""
    try:
        parsed, _ = usaddress.tag(label)
        city = parsed.get("PlaceName", "").strip(" ,")
        state = _state_code(parsed.get("StateName", ""))
    except usaddress.RepeatedLabelError as error:
        for value, tag in error.parsed_string:
            if tag == "PlaceName" and not city:
                city = value.strip(" ,")
            elif tag == "StateName" and not state:
                state = _state_code(value)
    if not state:
        match = _STATE_ZIP.search(label) or _STATE_END.search(label)
        if match and match.group(1) in _CODES:
            state = match.group(1)
    if not state:
        lowered = label.lower()
        for name, code in sorted(STATE_NAMES.items(), key=lambda kv: -len(kv[0])):
            if re.search(rf"\b{re.escape(name)}\b", lowered):
                state = code
                break
    if not state:
        zip_match = _ZIP.search(label)
        if zip_match:
            state = _state_from_zip(zip_match.group(1))
    if city.lower() in STATE_NAMES and city.lower() != "washington":
        city = ""  # usaddress sometimes reads the state's name as the city
    if city.lower() in ("washington", "washington dc", "washington d.c.") and state in ("", "DC"):
        city, state = "Washington", "DC"
    if state and not city:
        city = _city_before_state(label, state)
    if not state:
        city = ""  # a lone place name (a room, a venue) is not a city
    return city.title() if city.isupper() else city, state


def _city_before_state(label: str, state: str) -> str:
    """In 'Venue, City, State ZIP', the part before the state's part."""
    parts = [p.strip() for p in label.split(",") if p.strip()]
    for index, part in enumerate(parts):
        words = part.replace(".", "").split()
        head = " ".join(w for w in words if not w.isdigit() and not re.fullmatch(r"\d{5}(-\d{4})?", w))
        if index and (head.upper() == state or STATE_NAMES.get(head.lower()) == state):
            candidate = parts[index - 1]
            if not any(ch.isdigit() for ch in candidate) and len(candidate.split()) <= 4:
                return candidate
    return ""


def _state_code(value: str) -> str:
    text = value.strip(" .,").upper().replace(".", "")
    if text in _CODES:
        return text
    return STATE_NAMES.get(value.strip(" .,").lower(), "")


def _state_from_zip(code: str) -> str:
    """The state of a ZIP code in or next to the DC region (USPS prefixes)."""
    prefix = int(code[:3])
    if prefix in (200, 202, 203, 204, 205, 569):
        return "DC"
    if 206 <= prefix <= 219:
        return "MD"
    if prefix == 201 or 220 <= prefix <= 246:
        return "VA"
    if 247 <= prefix <= 268:
        return "WV"
    if 150 <= prefix <= 196:
        return "PA"
    if 197 <= prefix <= 199:
        return "DE"
    return ""
