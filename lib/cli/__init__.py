"""`python -m lib`: a thin shell over the library. `main` parses and turns a `DossierError`
into a one-line message and exit code, `common` holds shared options and helpers, and each
other module registers one group of commands.
"""
