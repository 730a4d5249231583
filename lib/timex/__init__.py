"""Time expressions: finding and resolving them against a publication date. `base` (types,
calendar), `patterns`, `tense`, `context` and `resolvers` (the rule tagger's parts), `rules`
(the default tagger), `dateparsing` (dateparser candidates) and `registry` (choose a tagger,
`find_time_expressions`). Imports `lib.text` and below.
"""
