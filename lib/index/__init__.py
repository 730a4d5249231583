"""Building the index: the per-article analyses it stores (`annotators`), the build itself
(`build`: incremental, atomic generations), Ray runs (`distributed`) and the one update path
every caller uses (`update`: build, publish, report). Imports `lib.stance` and below.
"""
