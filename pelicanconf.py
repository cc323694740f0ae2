"""Pelican settings for a local build (embedded SQLite store).

Every EVENTS_* setting is documented in the README; environment variables
of the same name override the ones below, so `EVENTS_NOW=... invoke build`
pins the clock without editing this file.
"""

import os

AUTHOR = "DC Tech Events"
SITENAME = "DC Tech Events"
SITEDESCRIPTION = "Every technology event in Washington DC, Maryland and Virginia."
SITEURL = ""
PATH = "content"
TIMEZONE = "America/New_York"
DEFAULT_LANG = "en"
THEME = "theme"
PLUGIN_PATHS = ["plugins"]
PLUGINS = ["events"]

# Pelican's own blog outputs are off; the events plugin writes the site.
DIRECT_TEMPLATES = []
ARTICLE_PATHS = ["articles"]
PAGE_PATHS = ["pages"]
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
CATEGORY_SAVE_AS = ""
TAG_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
TAGS_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
DEFAULT_PAGINATION = False
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = False
CACHE_CONTENT = False
# Pelican copies the theme's static files every build, changing every one's
# modification time; the events plugin copies them instead (the theme's
# `static/` folder, EVENTS_THEME_STATIC_PATHS) to the same place,
# output/theme/, rewriting only those whose bytes changed.
THEME_STATIC_PATHS = []
EVENTS_THEME_STATIC_PATHS = ["static"]

EVENTS_TIMEZONE = "America/New_York"
EVENTS_STATES = ["DC", "MD", "VA"]
EVENTS_UID_DOMAIN = "dctech.events"
EVENTS_STORE = "sqlite"

# Environment overrides: EVENTS_NOW, EVENTS_COLLECT, EVENTS_STORE, EVENTS_CACHE_DIR, ...
for _name, _value in os.environ.items():
    if _name.startswith("EVENTS_"):
        globals()[_name] = _value
