"""Who argues what: the stance cross-encoder (`crossencoder`, trained by `crossencoder_training` on
`pairs` from FNC-1/ARC, `calibration`, `stacking`), the gradient-boosting model that is its
baseline and the pair view's reader (`model`, `features`, `training`, `embedding_cache`), data
and scoring (`fnc1`), and for Dossier's articles: `sentences`, `relevance`, per-article `verdicts`,
the page's `matrix`, `proposals` (build time) and `alignment` (pair view). Imports `lib.timeline`
and below.
"""
