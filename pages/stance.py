"""Stance: for each claim, whether each article agrees, disagrees, discusses it, is not clear or
does not address it, with the sentences that decide it, side by side."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from lib.errors import DossierError
from lib.stance.alignment import align_articles
from lib.stance.matrix import (
    ClaimMatrix,
    article_matrix,
    export_table,
    matrix_kind,
    outlet_matrix,
    outlet_stories,
)
from lib.stance.verdicts import NOT_ADDRESSED, NOT_CLEAR, validate_claim
from lib.text.markup import escape
from lib.web.frame import page_frame
from lib.web.loaders import get_citations, get_pair_model, get_proposed_claims, get_titles, get_verdicts
from lib.web.state import init_state, sync_url
from lib.web.widgets import citation_control, download_buttons, reader_link, selected_points

with page_frame(
    "stance",
    "Who argues what. Each verdict is decided by the article's sentences that speak to the claim, read by a "
    "small cross-encoder trained here on FNC-1 news headlines and ARC debate posts (not a general reasoning "
    "model): it says “not clear” below its calibrated threshold and “not addressed” when no sentence names "
    "what the claim is about. Read the deciding sentences.",
) as (settings, store):
    PROPOSALS_ON_ARRIVAL = 4
    CARDS_PER_ROW = 3
    OUTLET_CARDS = 6
    COLOURS = {
        "agree": "#2e7d32",
        "disagree": "#c62828",
        "discuss": "#f9a825",
        NOT_CLEAR: "#6a1b9a",
        NOT_ADDRESSED: "#9e9e9e",
    }
    articles = store.articles()
    titles = get_titles(store)
    sources = dict(zip(articles["article_id"], articles["source"].fillna(""), strict=True))
    DEFAULTS = {"claims": [], "cell": "", "left": "", "right": ""}
    for warning in init_state(DEFAULTS):
        st.warning(warning)

    def add_claims(new: list[str]) -> None:
        st.session_state["claims"] = list(dict.fromkeys([*st.session_state["claims"], *new]))

    with st.form("claims_form", clear_on_submit=True):
        typed = st.text_area(
            "Claims, one per line",
            key="new_claims",
            placeholder="The Singapore summit produced a meaningful agreement",
        )
        if st.form_submit_button("Compare the articles", type="primary"):
            lines = [line for line in typed.splitlines() if line.strip()]
            try:
                add_claims([validate_claim(line) for line in lines] or [validate_claim("")])
            except DossierError as exc:
                st.error(str(exc))

    proposals = get_proposed_claims(store)
    with st.expander(f"Proposed claims: statements several articles take positions on ({len(proposals)})"):
        if proposals.empty:
            st.write("No statement is addressed by three or more stories.")
        for row in proposals.itertuples():
            c1, c2 = st.columns([5, 1])
            where = f"{row.articles} stories; from {escape(row.paragraph_id)}"
            c1.markdown(f"{escape(row.claim)} <small>({where})</small>", unsafe_allow_html=True)
            if c2.button("Add", key=f"propose-{row.paragraph_id}"):
                add_claims([row.claim])

    claims = []
    for claim in st.session_state["claims"]:
        try:
            claims.append(validate_claim(claim))
        except DossierError as exc:
            st.error(f"Ignored a claim from the link: {exc}")
    st.session_state["claims"] = claims
    if claims and st.button("Clear the claims", key="clear_claims"):
        st.session_state["claims"] = []
        st.session_state["cell"] = ""
    sync_url(DEFAULTS)

    todo = st.session_state["claims"]
    if not todo:
        todo = proposals["claim"].head(PROPOSALS_ON_ARRIVAL).tolist()
        if todo:
            st.info(
                "Showing the proposed claims: statements several articles take positions on. "
                "Type a claim above, or add another proposed one, to see where each article stands."
            )
        else:
            st.info("Type a claim above to see where each article stands.")

    parts = []
    if todo:
        bar = st.progress(0.0, text="Scoring the claims")
        for number, claim in enumerate(todo):

            def show(fraction: float, message: str, number: int = number) -> None:
                bar.progress((number + fraction) / len(todo), text=message)

            parts.append(get_verdicts(store, claim, settings, show).verdicts)
            bar.progress((number + 1) / len(todo), text=f"Scored {number + 1} of {len(todo)} claims")
        bar.empty()

    if parts:
        verdicts = pd.concat(parts, ignore_index=True)
        kind = matrix_kind(verdicts)
        matrix: ClaimMatrix = (
            article_matrix(verdicts, todo, titles)
            if kind == "article"
            else outlet_matrix(verdicts, todo, sources)
        )
        rows = [f"{i + 1}. {c[:60]}" for i, c in enumerate(todo)]
        figure = go.Figure(
            go.Heatmap(
                z=matrix.z,
                x=matrix.labels,
                y=rows,
                text=[[escape(t).replace("&lt;br&gt;", "<br>") for t in r] for r in matrix.text],
                texttemplate="%{text}",
                hovertext=[[escape(t) for t in r] for r in matrix.hover],
                hoverinfo="text",
                zmin=-1,
                zmax=1,
                colorscale=[[0, COLOURS["disagree"]], [0.5, "#f5f5f5"], [1, COLOURS["agree"]]],
                colorbar={"title": "disagree ↔ agree"},
                xgap=2,
                ygap=2,
            )
        )
        what = "stories (⧉: copies counted once)" if kind == "article" else "outlets (share of their stories)"
        figure.update_layout(
            height=160 + 80 * len(todo),
            title=f"Claims × {what}: click a cell for its deciding sentences",
            yaxis={"autorange": "reversed"},
        )
        picked = st.plotly_chart(figure, key="stance_matrix", on_select="rerun", selection_mode="points")
        for point in selected_points(picked)[:1]:
            row, label = point.get("y"), point.get("x")
            if row in rows and label in matrix.labels:
                st.session_state["cell"] = f"{rows.index(row)}:{matrix.columns[matrix.labels.index(label)]}"
        cell = st.session_state["cell"]
        index, _, column = cell.partition(":")
        if cell and not (index.isdigit() and int(index) < len(todo) and column in matrix.columns):
            st.warning("The selected cell is not in this matrix any more.")
            st.session_state["cell"] = cell = ""
        sync_url(DEFAULTS)

        def sentence_card(v: pd.Series) -> None:
            """One story's verdict and its deciding sentences, each linked to its paragraph."""
            with st.container(border=True):
                st.markdown(f"**{escape(titles.get(v['article_id'], v['article_id']))}**")
                if sources.get(v["article_id"]):
                    st.caption(escape(sources[v["article_id"]]))
                if v["copies"]:
                    st.caption(
                        "Counted once with its copies: " + ", ".join(escape(titles[c]) for c in v["copies"])
                    )
                probability = "" if pd.isna(v["confidence"]) else f" ({v['confidence']:.2f})"
                style = f"color:{COLOURS[v['verdict']]};font-weight:600"
                label = escape(v["verdict"].upper())
                st.markdown(f"<span style='{style}'>{label}</span>{probability}", unsafe_allow_html=True)
                if v["verdict"] == NOT_ADDRESSED:
                    st.caption("No sentence of this article names what the claim is about.")
                for number, q in enumerate(v["quotes"]):
                    st.markdown(f"> {escape(q['sentence'])}", unsafe_allow_html=True)
                    st.caption(f"{q['stance']} {q['probability']:.2f} · ¶{q['ordinal']}")
                    st.markdown(reader_link(q["article_id"], q["ordinal"]))
                    citation_control(
                        get_citations(store).cite(q["paragraph_id"], q["sentence"]),
                        key=f"cite-{v['article_id']}-{number}",
                    )

        if cell:
            claim = todo[int(index)]
            st.subheader(f"“{escape(claim)}”")
            shown = verdicts[verdicts["claim"] == claim]
            if kind == "article":
                chosen = shown[shown["article_id"] == column]
                others = shown[(shown["article_id"] != column) & (shown["verdict"] != NOT_ADDRESSED)]
                cards = pd.concat([chosen, others.sort_values("confidence", ascending=False, kind="stable")])
                silent = shown[(shown["article_id"] != column) & (shown["verdict"] == NOT_ADDRESSED)]
            else:
                stories = outlet_stories(verdicts, claim, column, sources)
                st.markdown(f"**{escape(column)}**: {len(stories)} stories, most confident first")
                st.dataframe(
                    stories.assign(title=[titles.get(a, a) for a in stories["article_id"]])[
                        ["article_id", "title", "verdict", "confidence"]
                    ],
                    hide_index=True,
                    key="outlet_stories",
                )
                cards = stories[stories["verdict"] != NOT_ADDRESSED].head(OUTLET_CARDS)
                silent = stories.iloc[:0]
            for start in range(0, len(cards), CARDS_PER_ROW):
                row_cards = cards.iloc[start : start + CARDS_PER_ROW]
                for column_box, (_, v) in zip(st.columns(CARDS_PER_ROW), row_cards.iterrows(), strict=False):
                    with column_box:
                        sentence_card(v)
            if len(silent):
                st.caption(
                    "Not addressed by: " + ", ".join(escape(titles.get(a, a)) for a in silent["article_id"])
                )

        download_buttons(
            "the verdicts with their sentences",
            "stance",
            export_table(verdicts, titles, sources),
            {"verdicts": verdicts.to_dict("records")},
            key="download_stance",
        )

    st.subheader("Two articles side by side")
    ids = list(titles)
    for key in ("left", "right"):
        if st.session_state[key] not in ids:
            st.session_state[key] = ""
    p1, p2 = st.columns(2)
    p1.selectbox("Left article", [""] + ids, key="left", format_func=lambda a: titles.get(a, "Choose…"))
    p2.selectbox("Right article", [""] + ids, key="right", format_func=lambda a: titles.get(a, "Choose…"))
    sync_url(DEFAULTS)
    left, right = st.session_state["left"], st.session_state["right"]
    if left and right and left != right:
        with st.spinner("Aligning paragraphs…"):
            aligned = align_articles(store, get_pair_model(store.model), left, right)
        if aligned.empty:
            st.info("No paragraph of one article is close to a paragraph of the other.")
        marks = {"agreeing": "🟢 agreeing", "contradicting": "🔴 contradicting", "unrelated": "⚪ unrelated"}
        for pair in aligned.itertuples():
            c1, c2, c3 = st.columns([5, 1, 5])
            c1.markdown(
                f"<small>{escape(pair.left_paragraph)}</small> {escape(pair.left_text)}",
                unsafe_allow_html=True,
            )
            c2.markdown(
                f"{marks[pair.relation]}<br><small>{pair.similarity:.2f}</small>", unsafe_allow_html=True
            )
            c3.markdown(
                f"<small>{escape(pair.right_paragraph)}</small> {escape(pair.right_text)}",
                unsafe_allow_html=True,
            )
    elif left and left == right:
        st.warning("Choose two different articles.")
