"""Pelican settings for the published site (DynamoDB store, absolute URLs)."""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: F403

SITEURL = os.environ.get("SITEURL", "https://dctech.events")
RELATIVE_URLS = False
EVENTS_STORE = os.environ.get("EVENTS_STORE", "dynamodb")
