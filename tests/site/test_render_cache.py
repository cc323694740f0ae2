"""Page input digests and the render cache: equal inputs, equal digests; any change, another digest."""

from __future__ import annotations

import dataclasses
import os
from datetime import UTC, datetime, timedelta

import pytest
from conftest import NEW_YORK
from factories import make_stored
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from events.models import GroupState
from events.site.event_view import event_view
from events.site.records import PageLink, SiteInfo
from events.site.render_cache import FileStamp, InputDigests, RenderCache, Uncacheable, attributes_read, context_names, template_salt

SALT = b"salt"


def view(**changes):
    return event_view(make_stored(**changes), NEW_YORK)


def digest(context, salt=SALT, path="a/index.html", template="events_day"):
    return InputDigests(salt).page(path, template, context)


def test_equal_contexts_built_apart_have_equal_digests():
    assert digest({"views": [view(), view(event_id="b")], "title": "Day"}) == digest({"title": "Day", "views": [view(), view(event_id="b")]})


@pytest.mark.parametrize(
    "changed",
    [
        {"views": [view(title="Another title")]},
        {"views": [view(start=view().start + timedelta(minutes=30))]},
        {"views": [view(status="cancelled")]},
        {"views": [view(sequence=1)]},
        {"views": [view(), view(event_id="b")]},
        {"views": [view()], "title": "Day!"},
        {"views": [view()], "previous": PageLink("Mar 1", "2026/03/01/")},
    ],
)
def test_any_change_of_the_context_changes_the_digest(changed):
    base = {"views": [view()], "title": "Day"}
    assert digest({**base, **changed}) != digest(base)


def test_path_template_and_salt_count():
    context = {"views": [view()]}
    assert len({digest(context), digest(context, path="b/index.html"), digest(context, template="x"), digest(context, salt=b"other")}) == 4


def test_markup_and_text_of_the_same_characters_differ():
    assert digest({"x": Markup("<b>a</b>")}) != digest({"x": "<b>a</b>"})


def test_the_zone_name_counts_beside_the_offset():
    moment = view().start
    assert digest({"t": moment}) != digest({"t": moment.astimezone(NEW_YORK).replace(tzinfo=None)})


def test_an_unknown_object_makes_the_page_uncacheable():
    with pytest.raises(Uncacheable):
        digest({"x": object()})


def test_a_shared_view_is_digested_once_and_a_mutated_copy_is_not_confused_with_it():
    digests = InputDigests(SALT)
    shared = view()
    first = digests.page("a", "t", {"v": [shared]})
    assert digests.page("a", "t", {"v": [shared]}) == first
    other = dataclasses.replace(shared, status="cancelled")
    assert digests.page("a", "t", {"v": [other]}) != first


@settings(max_examples=60, derandomize=True, deadline=None)
@given(st.text(max_size=40), st.text(max_size=40))
def test_digests_tell_texts_apart(a, b):
    assert (digest({"title": a}) == digest({"title": b})) == (a == b)


def test_template_salt_follows_every_template_file_and_site_value(tmp_path):
    (tmp_path / "base.html").write_text("<html>{{ x }}</html>")
    first = template_salt([tmp_path], {"SITEURL": "https://a"}, "1")
    assert template_salt([tmp_path], {"SITEURL": "https://a"}, "1") == first
    assert template_salt([tmp_path], {"SITEURL": "https://b"}, "1") != first
    assert template_salt([tmp_path], {"SITEURL": "https://a"}, "2") != first
    (tmp_path / "base.html").write_text("<html>{{ y }}</html>")
    assert template_salt([tmp_path], {"SITEURL": "https://a"}, "1") != first


def test_a_page_is_fresh_only_with_the_same_inputs_and_its_file_as_written(tmp_path):
    page = tmp_path / "a" / "index.html"
    page.parent.mkdir()
    page.write_text("<p>hi</p>")
    info = page.stat()
    cache = RenderCache({"a/index.html": FileStamp("d1", info.st_size, info.st_mtime_ns, "sha")})
    assert cache.fresh(tmp_path, "a/index.html", "d1")
    assert not cache.fresh(tmp_path, "a/index.html", "d2")
    assert not cache.fresh(tmp_path, "b/index.html", "d1")
    os.utime(page, ns=(info.st_atime_ns, info.st_mtime_ns + 1))
    assert not cache.fresh(tmp_path, "a/index.html", "d1"), "a file changed behind the build's back is rendered again"
    page.unlink()
    assert not cache.fresh(tmp_path, "a/index.html", "d1"), "an empty output/ (a fresh checkout) renders everything"


def test_the_cache_round_trips_and_a_broken_file_reads_as_empty(tmp_path):
    file = tmp_path / "cache" / "pages.json"
    RenderCache({"a/index.html": FileStamp("d1", 3, 42, "sha")}).save(file)
    assert RenderCache.load(file).stamps == {"a/index.html": FileStamp("d1", 3, 42, "sha")}
    for garbage in ("", "{", "[]", '{"format": 999, "pages": {}}', '{"format": 2, "pages": {"a": [1]}}'):
        file.write_text(garbage)
        assert RenderCache.load(file).stamps == {}
    assert RenderCache.load(tmp_path / "missing.json").stamps == {}



def test_attributes_read_follows_the_templates_code_not_their_words(tmp_path):
    (tmp_path / "a.html").write_text('<p>This site reads {{ site.timezone.key if site else "" }}, {{ f(hint="the site") }}</p>')
    (tmp_path / "b.html").write_text("{% for s in site.states %}{{ s }}{% endfor %}")
    assert attributes_read([tmp_path], "site") == frozenset({"timezone", "states"})
    (tmp_path / "c.html").write_text("{{ macro(site) }}")
    assert attributes_read([tmp_path], "site") is None, "a template that passes `site` on may read any of it"


def test_fields_no_template_reads_do_not_change_a_digest():
    site = SiteInfo("Events", "https://e.example", NEW_YORK, 14, "e.example", ("DC",))
    later = dataclasses.replace(site, group_states={"g": GroupState("g", last_attempt=datetime(2026, 3, 2, tzinfo=UTC))})
    narrow = InputDigests(SALT, {SiteInfo: frozenset({"timezone", "states", "home_days"})})
    assert narrow.page("a", "t", {"site": site}) == narrow.page("a", "t", {"site": later})
    assert narrow.page("a", "t", {"site": site}) != narrow.page("a", "t", {"site": dataclasses.replace(site, states=("DC", "MD"))})
    assert InputDigests(SALT).page("a", "t", {"site": site}) != InputDigests(SALT).page("a", "t", {"site": later})


def test_context_names_follow_extends_imports_and_includes(tmp_path):
    from jinja2 import Environment, FileSystemLoader

    (tmp_path / "base.html").write_text("<title>{{ page_title }}</title>{% block body %}{% endblock %}{% include 'foot.html' %}")
    (tmp_path / "foot.html").write_text("{{ this_month }}")
    (tmp_path / "macros.html").write_text("{% macro day(d) %}{{ d }}{% if d == today %}Today{% endif %}{% endmacro %}")
    (tmp_path / "event.html").write_text("{% extends 'base.html' %}{% block body %}{% set x = view.title %}{{ x }}{% endblock %}")
    (tmp_path / "day.html").write_text(
        "{% extends 'base.html' %}{% from 'macros.html' import day with context %}{% block body %}{{ day(listing) }}{% endblock %}"
    )
    (tmp_path / "any.html").write_text("{% include chosen %}")
    env = Environment(loader=FileSystemLoader(tmp_path))
    event = context_names(env, "event.html")
    assert event is not None and {"page_title", "this_month", "view"} <= event and not {"today", "x", "listing"} & event
    day = context_names(env, "day.html")
    assert day is not None and {"page_title", "this_month", "today", "listing"} <= day
    assert context_names(env, "any.html") is None, "a template named by an expression may read anything"


def test_values_outside_the_names_read_do_not_change_a_digest():
    names = frozenset({"view", "heading"})
    base = {"view": view(), "heading": "Talk", "today": datetime(2026, 3, 2).date()}
    digests = InputDigests(SALT)
    assert digests.page("a", "t", base, names) == digests.page("a", "t", {**base, "today": datetime(2026, 3, 3).date()}, names)
    assert digests.page("a", "t", base, names) != digests.page("a", "t", {**base, "heading": "Another"}, names)
    assert digests.page("a", "t", base, names) != digests.page("a", "t", {k: v for k, v in base.items() if k != "heading"}, names)
    assert digests.page("a", "t", base) != digests.page("a", "t", {**base, "today": datetime(2026, 3, 3).date()})


def test_objects_made_and_dropped_one_page_at_a_time_are_digested_by_their_content():
    """Deferred pages make objects that die after their page; a new object at a reused address must not get the old digest."""
    shared = InputDigests(SALT)
    for n in range(300):
        page = {"view": view(title=f"Talk {n % 7}", event_id=f"e{n}"), "links": PageLink(f"Link {n}", f"events/e{n}/")}
        assert shared.page("p", "t", page) == InputDigests(SALT).page("p", "t", page)
        del page
