"""Dossier: the dashboard's entry point, only a router over the pages (`lib.web.navigation`)."""

from lib.web.navigation import navigation

navigation().run()
