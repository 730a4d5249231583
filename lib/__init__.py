"""Dossier: understand a corpus of news articles (library code, no Streamlit)."""
