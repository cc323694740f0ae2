"""Property-based fuzz of group, single-event and overlay files (issue 11): no input stops a run.

Hypothesis writes YAML texts of every shape (mappings of the real field
names with values of random types, fragments of YAML syntax, alias chains,
random bytes, a good file with syntax spliced in) next to one good file of
each kind (250 examples), and checks through `validate_all`, as `invoke validate` runs it:
nothing raises, a file that does not load has at least one problem naming
it, the good files still load, and every problem line is short. Derandomized
with a fixed number of examples, so it is deterministic and takes seconds.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from events.inputs.yaml_files import MAX_PROBLEMS_PER_FILE
from events.run.validate import validate_all
from events.settings import EventsSettings

ROOT = Path(__file__).resolve().parents[2]
MAX_LINE = 600
GOOD = {
    "groups": "name: Good Group\nwebsite: https://good.example.org/\nical: https://good.example.org/events.ics\n",
    "singles": "title: Good event\nstart: 2026-04-02 18:00\n",
    "overlays": f"event: {'a' * 20}\nhide: true\n",
}
FIELDS = [
    # group files
    "name", "website", "active", "categories", "ical", "source", "skip_phrases", "suppress_urls", "fallback_url", "default_state", "timezone",
    # source settings
    "type", "url", "enrich", "enrich_max", "event_links", "max_pages", "calendar_id", "page_size", "page_param", "size_param",
    # single events and overlays
    "title", "start", "end", "location", "cost", "description", "organizer", "organizer_url", "rrule", "exdates",
    "event", "hide", "duplicate_of", "location_type", "reason",
]  # fmt: skip
FRAGMENTS = [
    "name: ", "website: ", "ical: ", "source:\n", "  type: ", "  url: ", "timezone: ", "start: ", "event: ", "categories: ",
    "[", "]", "{", "}", ": ", "- ", "\n", "  ", "    ", "\t", "'", '"', ",", "#", "\\", "? ", "|\n", ">\n", "~",
    "&a ", "*a", "&b ", "*b ", "<<: *a\n", "!!python/object:os.system ", "!x ", "!!binary ", "---\n", "...\n", "%YAML 1.2\n",
    "2026-13-45", "2026-02-30 25:61", "America", "America/New_York", "https://e.org/", "ical", "jsonld", "libcal",
    "\x00", "\x07", "\ufeff", "\u2028", "\u00e9", "\U0001f600", "1e999", "0x1F", "-.inf", ".nan", "yes", "null", "9" * 50,
]  # fmt: skip

text_values = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(),
    text_values,
    st.sampled_from(["America", "America/New_York", "ical", "https://e.org/c.ics", "ftp://x", "VA", "ai", "a" * 20, "FREQ=MONTHLY"]),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1)),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1)),
)
keys = st.one_of(st.sampled_from(FIELDS), text_values, st.integers(), st.booleans())
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4), max_leaves=8)


def dumped(data: object) -> str:
    return yaml.safe_dump(data, allow_unicode=True, default_flow_style=None)


structured = st.one_of(st.dictionaries(keys, values, max_size=8), values, st.lists(st.dictionaries(keys, values, max_size=5), max_size=3)).map(dumped)
fragments = st.lists(st.one_of(st.sampled_from(FRAGMENTS), text_values), max_size=25).map("".join)
spliced = st.tuples(st.sampled_from(list(GOOD.values())), st.integers(0, 80), fragments).map(lambda t: t[0][: t[1]] + t[2] + t[0][t[1] :])


def alias_chain(width: int, levels: int, fields: bool) -> str:
    rows = [f"a0: &a0 [{','.join(['x'] * width)}]"]
    rows += [f"a{n}: &a{n} [{','.join([f'*a{n - 1}'] * width)}]" for n in range(1, levels)]
    if fields:
        rows += ["name: *a0", f"categories: *a{levels - 1}", f"skip_phrases: *a{levels - 1}"]
    return "\n".join(rows) + "\n"


aliases = st.builds(alias_chain, st.integers(1, 12), st.integers(1, 9), st.booleans())
texts = st.one_of(structured, fragments, spliced, aliases)
raw = st.one_of(texts.map(lambda t: t.encode("utf-8", "surrogatepass")), st.binary(max_size=200))


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> tuple[Path, EventsSettings]:
    root = tmp_path_factory.mktemp("fuzz")
    for kind, text in GOOD.items():
        (root / kind).mkdir()
        (root / kind / "good.yaml").write_text(text, encoding="utf-8")
    mapping = {
        "EVENTS_GROUPS_DIR": str(root / "groups"),
        "EVENTS_SINGLE_EVENTS_DIR": str(root / "singles"),
        "EVENTS_OVERLAYS_DIR": str(root / "overlays"),
        "EVENTS_CACHE_DIR": str(root / "cache"),
    }
    return root, EventsSettings.from_mapping(mapping, ROOT)


@settings(max_examples=250, derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck), phases=(Phase.explicit, Phase.generate))
@given(content=raw)
def test_no_file_stops_the_others_and_every_problem_names_its_file(folders, content):
    root, events_settings = folders
    for kind in GOOD:
        (root / kind / "fuzz.yaml").write_bytes(content)
    checked = validate_all(events_settings)
    assert all(len(str(p)) <= MAX_LINE for p in checked.problems), [str(p)[:200] for p in checked.problems]
    loads = {
        "groups": {Path(g.path).stem for g in checked.groups.groups},
        "singles": {e.slug for e in checked.single_events.events},
        "overlays": {Path(o.path).stem for o in checked.overlays.overlays.values()},
    }
    for kind, loaded in loads.items():
        named = [p for p in checked.problems if p.file.startswith(f"{kind}/fuzz.yaml")]
        assert "good" in loaded or kind == "overlays", kind
        assert len(named) <= MAX_PROBLEMS_PER_FILE
        assert "fuzz" in loaded or named, f"{kind}/fuzz.yaml neither loaded nor named in a problem"
    # An overlay file may hold the good overlay's event too (then one of the two is reported); the good one is read first.
    assert "a" * 20 in checked.overlays.overlays
    broken = checked.groups.broken_slugs
    assert broken == (set() if "fuzz" in loads["groups"] else {"fuzz"})
