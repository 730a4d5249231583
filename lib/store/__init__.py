"""Where an index generation lives and how it is searched: the `Store` protocol and filters
(`base`), the embedded SQLite + numpy store with its dense and FTS5 kernels (`embedded`), the
Milvus store (`milvus`) and the one place that opens the configured store (`factory`).
Imports `lib.corpus` and below.
"""
