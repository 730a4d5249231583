"""Who argues what: the stance model (`model`, its `features`, `training` and
`embedding_cache`), FNC-1-format data and scoring (`fnc1`), and per-article verdicts with their
quotes (`verdicts`). Imports `lib.timeline` and below.
"""
