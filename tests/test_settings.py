"""Settings are validated at start-up and errors name the setting."""

from pathlib import Path

import pytest

from events.settings import EventsSettings, SettingsError


def test_defaults_resolve_paths_against_the_project(tmp_path):
    settings = EventsSettings.from_mapping({}, tmp_path)
    assert settings.groups_dir == tmp_path / "_groups"
    assert settings.sqlite_path == tmp_path / ".cache" / "events.sqlite3"
    assert settings.states == ("DC", "MD", "VA") and settings.horizon_days == 90 and settings.now is None


def test_environment_strings_are_read_as_their_types(tmp_path):
    settings = EventsSettings.from_mapping(
        {"EVENTS_HORIZON_DAYS": "30", "EVENTS_COLLECT": "false", "EVENTS_STATES": "dc, md", "EVENTS_NOW": "2026-03-01T09:00:00-05:00"},
        tmp_path,
    )
    assert settings.horizon_days == 30 and settings.collect is False and settings.states == ("DC", "MD")
    assert settings.clock.now().isoformat() == "2026-03-01T09:00:00-05:00"


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"EVENTS_TIMEZONE": "Mars/Olympus"}, "EVENTS_TIMEZONE: 'Mars/Olympus' is not an IANA timezone"),
        ({"EVENTS_HORIZON_DAYS": 0}, "EVENTS_HORIZON_DAYS: expected a whole number of at least 1"),
        ({"EVENTS_NOW": "2026-03-01T09:00"}, "EVENTS_NOW: '2026-03-01T09:00' has no UTC offset"),
        ({"EVENTS_STORE": "postgres"}, "EVENTS_STORE: 'postgres' is not a store"),
        ({"EVENTS_HORIZON": 3}, "EVENTS_HORIZON: unknown setting"),
        ({"EVENTS_STATES": ["Virginia"]}, "EVENTS_STATES: expected a list of two-letter state codes"),
        ({"EVENTS_LOCAL_ORIGIN": "127.0.0.1:8000"}, "EVENTS_LOCAL_ORIGIN: expected an origin such as http://127.0.0.1:8000"),
        ({"EVENTS_LOCAL_ORIGIN": "http://127.0.0.1:8000/site"}, "EVENTS_LOCAL_ORIGIN: expected an origin"),
        ({"EVENTS_SEARCH": "maybe"}, "EVENTS_SEARCH: expected True or False"),
    ],
)
def test_bad_settings_name_the_setting(settings, message):
    with pytest.raises(SettingsError, match=message.replace("(", r"\(").replace(")", r"\)")):
        EventsSettings.from_mapping(settings, Path())
