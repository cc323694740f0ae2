"""An assistant interface: an MCP server answering from the site's published JSON.

It reads what a build publishes under `/api/` (from the live site's base
URL, or a local `output/` folder) and offers read-only tools to an AI
assistant: upcoming events by date range, state, category, group and
online / in person; one event; the groups; the categories; text search;
and a drafted correction (an `_overlays/` file and the GitHub link that
proposes it as a pull request). It never writes anywhere.

- `source.py`: where the JSON comes from (a folder or a base URL);
- `records.py`: the published records, parsed and typed;
- `queries.py`: pure filters over them;
- `corrections.py`: the overlay draft and its pull-request link;
- `server.py`: the MCP server and its tools;
- `__main__.py`: `python -m events.assistant --site output/` (or
  `--base-url https://...`) serves it on stdio.

Nothing here imports Pelican or the collection code: the JSON API is the
whole contract.
"""

from __future__ import annotations

__all__: list[str] = []
