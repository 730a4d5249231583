"""The analyst's brief: saved views of the pages (`views`, a small SQLite store per user), a
briefing document assembled from what Dossier found (`document`: key events, stance, passages,
every statement cited) and its HTML and Markdown forms (`render`). Imports `lib.search`,
`lib.timeline`, `lib.stance` and below.
"""
