"""Source adapters: raw bytes of one group's calendar -> occurrences.

Each adapter is one module with a `parse(content, request) -> ParseResult`
function that does no I/O.
"""

from .base import ParseRequest, ParseResult

__all__ = ["ParseRequest", "ParseResult"]
