"""Embeds: a compact list of upcoming events that other sites may put in an <iframe>.

One per group, state and category, at /embed/<listing path>. They select
their events the way the listing page and its feed do, and only these paths
may be framed (infra/site.yaml relaxes frame-ancestors for /embed/*).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from events.site.event_view import EventView
from events.site.files.feed_catalog import FeedSpec
from events.site.records import PageSpec, SiteInfo
from events.site.urls import absolute_url, category_page, embed_page, group_page, state_page

__all__ = ["EMBED_LIMIT", "embed_snippet", "plan_embed_pages"]

EMBED_LIMIT = 10  # events an embed lists; the "all events" link goes to the full page


def plan_embed_pages(
    selected: Mapping[tuple[str, str], Sequence[EventView]],
    site: SiteInfo,
    feeds: Mapping[tuple[str, str], FeedSpec],
    page: Callable[..., PageSpec],
) -> list[PageSpec]:
    names = {("group", g.slug): (g.name, group_page(g.slug)) for g in site.groups}
    names |= {("state", s): (s, state_page(s)) for s in site.states}
    names |= {("category", slug): (name, category_page(slug)) for slug, name in site.categories.items()}
    pages = []
    for key in sorted(names):
        name, listing = names[key]
        chosen = list(selected.get(key, ()))[:EMBED_LIMIT]
        pages.append(
            page(
                f"{embed_page(listing)}index.html",
                "events_embed",
                f"Upcoming: {name}",
                f"The next events of {name}, for embedding on other sites.",
                section="",
                views=chosen,
                full_page=absolute_url(site.link_origin, listing),
                feed=feeds[key],
            )
        )
    return pages


def embed_snippet(listing: str, name: str, site: SiteInfo) -> str:
    """The HTML another site pastes to show `listing`'s upcoming events."""
    source = absolute_url(site.link_origin, embed_page(listing))
    title = name.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return f'<iframe src="{source}" title="Upcoming events: {title}" width="100%" height="420" loading="lazy" style="border:0"></iframe>'
