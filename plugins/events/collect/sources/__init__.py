"""Source adapters: raw bytes of one group's calendar -> occurrences.

Each adapter is one module with a pure `parse(content, request) -> ParseResult`
(`ical`, `jsonld`, `libcal`, `json_api`). Adapters whose calendar spans
several documents also have a pure `further_urls(url, content, options)`
naming the documents they need next (and may have `first_url`); collection
fetches them. No adapter does I/O.
"""

from events.collect.sources.base import ParseRequest, ParseResult, SourceError

__all__ = ["ParseRequest", "ParseResult", "SourceError"]
