"""Text tools every other layer uses: word terms and stems (keyword search, coverage), the spaCy
pipeline (sentences, entities, parses), the sentence-transformers encoder, and safe markup.
Imports only `lib.errors` and `lib.settings`.
"""
