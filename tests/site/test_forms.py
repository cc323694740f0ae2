"""The contribution forms in Debian's Chromium (Playwright), on the demo site served on 127.0.0.1.

Each filled form must lead to GitHub's new-file page (intercepted: no
request leaves the machine) whose file, written into a temporary copy of
the repository's folders, passes `invoke validate`'s own function. A wrong
input is shown next to its field and nothing is proposed; every form
passes axe-core at 390 px; without JavaScript the page shows the file to
copy.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import jsonschema
import pytest
import yaml
from conftest import CHROMIUM

from events.inputs.file_schemas import as_json, schema_header
from events.inputs.overlays import _CHANGES as OVERLAY_CHANGES
from events.inputs.yaml_files import parse_yaml
from events.run.validate import validate_all
from events.settings import EventsSettings

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
GITHUB = "https://github.com/"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists() or not AXE.exists(), reason="needs /usr/bin/chromium and npm axe-core")




class FormPage:
    """One phone-sized page whose requests to GitHub are answered here and recorded, with any page error."""

    def __init__(self, context, site_url: str) -> None:
        self.page = context.new_page()
        self.site_url = site_url
        self.proposed: list[str] = []
        self.problems: list[str] = []
        self.hosts: set[str] = set()
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("console", lambda m: self.problems.append(f"console: {m.text}") if m.type in ("error", "warning") else None)
        self.page.on("request", lambda r: self.hosts.add(urlsplit(r.url).netloc))
        self.page.route(f"{GITHUB}**", self._github)

    def _github(self, route) -> None:
        self.proposed.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<!DOCTYPE html><title>GitHub</title>")

    def open(self, path: str) -> None:
        self.page.goto(self.site_url + path)
        self.page.wait_for_selector("form#contribute:not([hidden])")

    def submit(self) -> None:
        self.page.click("button[type=submit]")

    def proposed_file(self) -> tuple[str, str, str]:
        """(repository and branch path, file name, text) of the one proposal made."""
        self.page.wait_for_url(f"{GITHUB}**")
        assert len(self.proposed) == 1, self.proposed
        parts = urlsplit(self.proposed[0])
        query = parse_qs(parts.query, strict_parsing=True)
        return parts.path, query["filename"][0], query["value"][0]

    def close(self) -> None:
        self.page.close()


@pytest.fixture(scope="module")
def phone(browser):
    """One browser context for the module's pages (a new context per test costs a second on a busy machine)."""
    context = browser.new_context(viewport=PHONE)
    yield context
    context.close()


@pytest.fixture
def form(phone, site_url):
    page = FormPage(phone, site_url)
    yield page
    page.close()


def _validated(tmp_path: Path, filename: str, text: str):
    """The file written into a fresh copy of the repository's input folders, checked as `invoke validate` checks it."""
    for folder in ("_groups", "_single_events", "_overlays", "data"):
        (tmp_path / folder).mkdir(exist_ok=True)
    shutil.copy(ROOT / "data" / "categories.yaml", tmp_path / "data" / "categories.yaml")
    path = tmp_path / filename
    assert path.parent.parent == tmp_path, filename  # one of the three folders, no escaping it
    path.write_text(text, encoding="utf-8")
    return validate_all(EventsSettings.from_mapping({}, tmp_path), [path])


def _event_page(site: Path, title: str) -> tuple[str, str]:
    data = json.loads((site / "api" / "events.json").read_text())
    event = next(e for e in data["events"] if e["title"] == title)
    return event["page"], event["id"]


def test_add_your_group_proposes_a_valid_group_file(form, tmp_path):
    form.open("/submit/group/")
    page = form.page
    page.fill("#f-name", "Capital Rustaceans")
    assert page.input_value("#f-slug") == "capital-rustaceans"  # follows the name until edited
    page.fill("#f-website", "https://rust.example.org/")
    page.fill("#f-calendar_url", "https://rust.example.org/events.ics")
    page.check("input[name=categories][value=programming-languages]")
    page.select_option("#f-default_state", "VA")
    form.submit()
    where, filename, text = form.proposed_file()
    assert where == "/dctech-events/site/new/main"
    assert filename == "_groups/capital-rustaceans.yaml"
    assert text.splitlines()[0] == schema_header("group")
    checked = _validated(tmp_path, filename, text)
    assert checked.problems == ()
    assert [(g.slug, g.name, g.ical, g.categories, g.default_state) for g in checked.groups.groups] == [
        ("capital-rustaceans", "Capital Rustaceans", "https://rust.example.org/events.ics", ("programming-languages",), "VA")
    ]
    assert form.problems == []


def test_a_group_with_another_kind_of_source(form, tmp_path):
    form.open("/submit/group/")
    page = form.page
    page.fill("#f-name", "Library: Tech Talks")
    page.fill("#f-slug", "library_tech")
    page.fill("#f-website", "https://library.example.org/")
    page.select_option("#f-calendar_type", "libcal")
    page.fill("#f-calendar_url", "https://library.example.org/calendar")
    form.submit()
    _, filename, text = form.proposed_file()
    checked = _validated(tmp_path, filename, text)
    assert checked.problems == ()
    assert checked.groups.groups[0].source == (("type", "libcal"), ("url", "https://library.example.org/calendar"))


def test_submit_a_one_off_event(form, tmp_path):
    form.open("/submit/event/")
    page = form.page
    page.fill("#f-title", 'Spring "Mixer": yes')  # quotes, a colon and a YAML boolean word survive
    page.fill("#f-start_date", "2026-04-02")
    page.fill("#f-start_time", "18:00")
    page.fill("#f-end_time", "20:30")
    page.fill("#f-url", "https://example.org/mixer")
    page.fill("#f-location", "1630 7th St NW, Washington, DC 20001")
    page.fill("#f-cost", "Free")
    page.check("input[name=categories][value=communities]")
    page.fill("#f-description", "Line one\nLine two: #not-a-comment")
    form.submit()
    _, filename, text = form.proposed_file()
    assert filename == "_single_events/2026-04-02-spring-mixer-yes.yaml"
    checked = _validated(tmp_path, filename, text)
    assert checked.problems == ()
    event = checked.single_events.events[0]
    assert (event.title, str(event.start), str(event.end), event.description) == (
        'Spring "Mixer": yes', "2026-04-02 18:00:00", "2026-04-02 20:30:00", "Line one\nLine two: #not-a-comment"
    )


def test_submit_a_recurring_event(form, tmp_path):
    form.open("/submit/event/")
    page = form.page
    page.fill("#f-title", "First Thursday Coffee")
    page.fill("#f-start_date", "2026-04-02")
    page.fill("#f-start_time", "08:00")
    page.fill("#f-end_time", "09:00")
    page.select_option("#f-repeats", "monthly")
    page.fill("#f-count", "6")
    form.submit()
    _, filename, text = form.proposed_file()
    checked = _validated(tmp_path, filename, text)
    assert checked.problems == ()
    assert checked.single_events.events[0].rrule == "FREQ=MONTHLY;BYDAY=1TH;COUNT=6"


def test_suggest_a_correction_from_an_event_page(form, demo_site, tmp_path):
    path, event_id = _event_page(demo_site, "Python Project Night")
    page = form.page
    page.goto(form.site_url + path)
    page.click("text=Suggest a correction")
    page.wait_for_selector("form#contribute:not([hidden])")
    assert page.input_value("#f-event") == event_id  # the link prefills the event
    page.fill("#f-title", "Python Project Night (moved upstairs)")
    page.select_option("#f-location_type", "hybrid")
    page.check("input[name=categories][value=programming-languages]")
    page.fill("#f-reason", "The organizer announced it on the mailing list.")
    form.submit()
    _, filename, text = form.proposed_file()
    assert filename == f"_overlays/{event_id}.yaml"
    checked = _validated(tmp_path, filename, text)
    assert checked.problems == ()
    overlay = checked.overlays.overlays[event_id]
    assert (overlay.title, overlay.location_type, overlay.categories) == ("Python Project Night (moved upstairs)", "hybrid", ("programming-languages",))


def test_hide_and_duplicate_corrections(form, demo_site, tmp_path):
    _, event_id = _event_page(demo_site, "Python Project Night")
    _, other_id = _event_page(demo_site, "Civic Tech Hack Night")
    form.open(f"/submit/correction/?event={event_id}")
    form.page.check("#f-hide")
    form.page.fill("#f-duplicate_of", other_id)
    form.submit()
    _, filename, text = form.proposed_file()
    overlay = _validated(tmp_path, filename, text).overlays.overlays[event_id]
    assert (overlay.hide, overlay.duplicate_of) == (True, other_id)


# Each case: the form, what to fill (selector -> value; "check:" ticks a box), the field whose wrapper must show the problem.
ICAL = "https://x.org/a.ics"
INVALID = {
    "group website": ("/submit/group/", {"#f-name": "X", "#f-website": "ftp://example.org/", "#f-calendar_url": ICAL}, "website", "http(s) URL"),
    "group slug": ("/submit/group/", {"#f-name": "X", "#f-slug": "Bad Slug", "#f-website": "https://x.org/", "#f-calendar_url": ICAL}, "slug", "lowercase"),
    "group calendar": ("/submit/group/", {"#f-name": "X", "#f-website": "https://x.org/"}, "ical", "iCalendar feed"),
    "event start": ("/submit/event/", {"#f-title": "T"}, "start", "required"),
    "event rule": ("/submit/event/", {"#f-title": "T", "#f-start_date": "2026-04-02", "#f-repeats": "custom", "#f-rrule": "FREQ=HOURLY"}, "rrule", "rule"),
    "event url": ("/submit/event/", {"#f-title": "T", "#f-start_date": "2026-04-02", "#f-url": "www.example.org"}, "url", "http(s) URL"),
    "correction id": ("/submit/correction/", {"#f-event": "not-an-id", "#f-title": "New"}, "event", "20 characters"),
    "correction changes": ("/submit/correction/", {"#f-event": "0123456789abcdef0123"}, "|".join(OVERLAY_CHANGES), "at least one"),
}


@pytest.mark.parametrize("case", list(INVALID))
def test_an_invalid_input_is_shown_next_to_its_field_and_nothing_is_proposed(case, form):
    path, fills, field, words = INVALID[case]
    form.open(path)
    page = form.page
    for selector, value in fills.items():
        if page.locator(selector).evaluate("e => e.tagName") == "SELECT":
            page.select_option(selector, value)
        else:
            page.fill(selector, value)
    form.submit()
    wrapper = page.locator(f'[data-field~="{field}"]').first
    error = wrapper.locator(".field-error").first
    assert error.is_visible(), case
    assert words.lower() in error.inner_text().lower()
    # The field itself is marked invalid, described by the message, and focused first.
    invalid = page.locator("[aria-invalid=true]").first
    assert invalid.evaluate("(e, w) => w.contains(e)", wrapper.element_handle())
    assert page.evaluate("() => document.activeElement.getAttribute('aria-invalid')") == "true"
    assert page.locator("#form-summary").is_visible()
    page.wait_for_timeout(100)
    assert form.proposed == [] and page.url.startswith(form.site_url)


def _axe(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        'async () => { const r = await axe.run(document, {runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]});'
        " return r.violations.map(v => ({id: v.id, nodes: v.nodes.map(n => n.target.join(' '))})); }"
    )


@pytest.mark.parametrize("path", ["/submit/", "/submit/group/", "/submit/event/", "/submit/correction/", "/digest/"])
def test_forms_pass_axe_and_fit_a_phone(path, form):
    page = form.page
    page.goto(form.site_url + path)
    if path != "/submit/" and path != "/digest/":
        page.wait_for_selector("form#contribute:not([hidden])")
        assert _axe(page) == []
        form.submit()  # empty: every required field shows its problem
        page.wait_for_selector("#form-summary:not([hidden])")
    assert _axe(page) == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert form.problems == []
    assert form.hosts == {urlsplit(form.site_url).netloc}  # nothing fetched from anyone else


@pytest.mark.parametrize("path,folder", [("/submit/group/", "_groups/"), ("/submit/event/", "_single_events/"), ("/submit/correction/", "_overlays/")])
def test_without_javascript_the_page_shows_the_file_to_copy(path, folder, browser, site_url):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    try:
        page = context.new_page()
        page.goto(site_url + path)
        assert not page.locator("form#contribute").is_visible()
        by_hand = page.locator("section.by-hand")
        assert folder in by_hand.inner_text()
        assert by_hand.locator("pre").inner_text().startswith("# yaml-language-server: $schema=../schemas/")
        assert by_hand.locator(f'a[href$="/new/main/{folder}"]').count() == 1
    finally:
        context.close()


def _fixtures(kind: str) -> list[tuple[str, object]]:
    folder = {"group": "groups", "single-event": "single_events", "overlay": "overlays"}[kind]
    found = []
    for path in sorted((ROOT / "tests" / "data" / folder).glob("*/*.y*ml")):
        try:
            found.append((path.name, as_json(parse_yaml(path.read_text(encoding="utf-8")))))
        except (yaml.YAMLError, ValueError):  # not YAML the reader accepts
            continue
    return found


@pytest.mark.parametrize("kind", ["group", "single-event", "overlay"])
def test_the_browsers_schema_check_agrees_with_jsonschema(kind, form):
    """The forms' own checker (no third-party code) against the `jsonschema` package, on every fixture."""
    form.open("/submit/group/")
    schema = json.loads((ROOT / "schemas" / f"{kind}.json").read_text())
    reference = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    cases = [*_fixtures(kind), ("empty", {}), ("bad date", {"title": "T", "start": "2026-02-30"}), ("number", 7)]
    verdicts = form.page.evaluate("([schema, cases]) => cases.map(c => window.eventsForms.check(schema, c[1]).length === 0)", [schema, cases])
    assert dict(zip([c[0] for c in cases], verdicts, strict=True)) == {name: reference.is_valid(data) for name, data in cases}


def test_the_browsers_yaml_reads_back_as_the_same_data(form):
    form.open("/submit/group/")
    data = {
        "title": 'He said "yes": no # not a comment',
        "location": "yes",  # a YAML 1.1 boolean word, as text
        "cost": "$10 \\ more",
        "description": "Line one\n  Line two\ttabbed – ünïcode 🍕",
        "categories": ["ai", "cloud"],
        "hide": True,
        "source": {"type": "json_api", "url": "https://x.org/?a=1&b=2", "page_size": 50},
    }
    text = form.page.evaluate("data => window.eventsForms.toYaml(data)", data)
    assert parse_yaml(text) == data
