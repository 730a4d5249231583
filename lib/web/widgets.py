"""Small pieces every page draws the same way: links to the reader, "Copy citation" controls,
the sentences behind a timeline event side by side, CSV/JSON downloads, and the points clicked
in a plotly chart."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import streamlit as st

from lib.corpus.citations import Citation, CitationBuilder
from lib.text.markup import escape
from lib.web.state import page_url


def reader_link(article_id: str, ordinal: int | None = None, label: str | None = None) -> str:
    """Markdown for a link that opens the article reader at a paragraph."""
    text = label or (f"Open ¶{ordinal} in the article reader" if ordinal else "Open the article")
    return f"[{escape(text)}]({page_url('reader', article=article_id, p=ordinal)})"


def citation_control(citation: Citation, key: str) -> None:
    """A "Copy citation" popover holding the citation (lib.corpus.citations) as plain text, with
    `st.code`'s copy-to-clipboard button; the same text as the CLI's `--cite`."""
    with st.popover("Copy citation", key=key):
        st.code(citation.text, language=None, wrap_lines=True)


def download_buttons(what: str, name: str, table: Any, records: Any, key: str = "download") -> None:
    """CSV and JSON download buttons side by side: `table` (a DataFrame, flat cells) as
    `dossier-<name>.csv`, `records` (anything JSON can hold, nested sources kept) as
    `dossier-<name>.json`; widget keys `<key>_csv` and `<key>_json`."""
    download_texts(
        what,
        name,
        table.to_csv(index=False),
        json.dumps(records, ensure_ascii=False, indent=2, default=str),
        key,
    )


def download_texts(what: str, name: str, csv_text: str, json_text: str, key: str = "download") -> None:
    """The same buttons for exports already written out (e.g. cached by a loader)."""
    left, right = st.columns(2)
    left.download_button(
        f"Download {what} (CSV)", csv_text, f"dossier-{name}.csv", "text/csv", key=f"{key}_csv"
    )
    right.download_button(
        f"Download {what} (JSON)", json_text, f"dossier-{name}.json", "application/json", key=f"{key}_json"
    )


def selected_points(chart_event: Any) -> list[dict[str, Any]]:
    """The points a user clicked in a plotly chart drawn with `on_select="rerun"` (none if none)."""
    selection = getattr(chart_event, "selection", None) if chart_event else None
    return list(selection.points) if selection else []


def source_cards(found: pd.DataFrame, titles: dict[str, str], citations: CitationBuilder, key: str) -> None:
    """The sentences behind an event or a day, side by side, each with where it came from, a
    link to its paragraph in the reader and its citation (`key` keeps the controls apart)."""
    columns = st.columns(max(1, min(len(found), 3)))
    for number, source in enumerate(found.itertuples()):
        with columns[number % len(columns)].container(border=True):
            st.markdown(f"**{escape(titles.get(source.article_id, source.article_id))}**")
            st.caption(
                " · ".join(
                    escape(x)
                    for x in (
                        source.source or "source unknown",
                        source.published or "date unknown",
                        f"“{source.expression}” → {source.value}",
                    )
                )
            )
            st.markdown(escape(source.sentence), unsafe_allow_html=True)
            st.markdown(reader_link(source.article_id, int(source.ordinal)))
            citation_control(citations.cite(source.paragraph_id, source.sentence), key=f"{key}-{number}")
