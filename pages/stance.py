"""Stance: for each claim, whether each article agrees, disagrees, discusses it or is unrelated,
with the quotes that show it, side by side."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from lib.errors import DossierError
from lib.stance.verdicts import align_articles, validate_claim
from lib.text.markup import escape
from lib.web.frame import page_frame
from lib.web.loaders import get_citations, get_proposed_claims, get_stance_model, get_titles, get_verdicts
from lib.web.state import init_state, sync_url
from lib.web.widgets import citation_control, download_buttons, reader_link, selected_points

with page_frame(
    "stance",
    "Who argues what. Verdicts come from a stance classifier trained here on FNC-1 news headlines and ARC "
    "debate posts (not a natural-language-inference model): it is right on about 87 % of FNC-1 pairs but "
    "misses most disagreements; always read the quotes.",
) as (settings, store):
    articles = store.articles()
    titles = get_titles(store)
    VERDICT_COLOURS = {
        "agree": "#2e7d32",
        "disagree": "#c62828",
        "discuss": "#f9a825",
        "unrelated": "#bdbdbd",
    }
    DEFAULTS = {"claims": [], "cell": "", "left": "", "right": ""}
    for warning in init_state(DEFAULTS):
        st.warning(warning)

    def add_claims(text: str) -> None:
        st.session_state["claims"] = list(dict.fromkeys([*st.session_state["claims"], *text]))

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

    with st.expander("Proposed claims: statements several articles address"):
        proposals = get_proposed_claims(store)
        if proposals.empty:
            st.write("No statement is addressed by three or more articles.")
        for row in proposals.itertuples():
            c1, c2 = st.columns([5, 1])
            c1.markdown(
                f"{escape(row.claim)} "
                f"<small>({row.articles} articles; from {escape(row.paragraph_id)})</small>",
                unsafe_allow_html=True,
            )
            if c2.button("Add", key=f"propose-{row.paragraph_id}"):
                add_claims([row.claim])

    claims = []
    for claim in st.session_state["claims"]:
        try:
            claims.append(validate_claim(claim))
        except DossierError as exc:
            st.error(f"Ignored a claim from the link: {exc}")
    st.session_state["claims"] = claims
    if st.session_state["claims"] and st.button("Clear the claims", key="clear_claims"):
        st.session_state["claims"] = []
        st.session_state["cell"] = ""
    sync_url(DEFAULTS)

    verdict_parts, evidence_parts = [], []
    todo = st.session_state["claims"]
    if todo:
        bar = st.progress(0.0, text="Scoring claims")
        for number, claim in enumerate(todo):
            result = get_verdicts(store, claim)
            verdict_parts.append(result.verdicts)
            evidence_parts.append(result.evidence)
            bar.progress((number + 1) / len(todo), text=f"Scored {number + 1} of {len(todo)} claims")
        bar.empty()

    if verdict_parts:
        verdicts = pd.concat(verdict_parts, ignore_index=True)
        evidence = pd.concat(evidence_parts, ignore_index=True)
        columns = list(dict.fromkeys(verdicts["article_id"]))
        labels = [f"{a} · {titles[a][:28]}" for a in columns]
        grid = verdicts.set_index(["claim", "article_id"])
        z, text, hover = [], [], []
        for claim in todo:
            z_row, text_row, hover_row = [], [], []
            for article_id in columns:
                v = grid.loc[(claim, article_id)]
                strength = {"agree": 1, "disagree": -1, "discuss": 0.0, "unrelated": 0.0}[v["verdict"]] * v[
                    "confidence"
                ]
                z_row.append(strength if v["verdict"] != "discuss" else 0.0)
                text_row.append(f"{v['verdict']} {v['confidence']:.2f}" + (" ⧉" if v["copies"] else ""))
                top = v["quotes"][0]["sentence"][:140] if v["quotes"] else "no relevant paragraph"
                hover_row.append(f"{v['verdict']} ({v['confidence']:.2f})<br>{escape(top)}")
            z.append(z_row)
            text.append(text_row)
            hover.append(hover_row)
        figure = go.Figure(
            go.Heatmap(
                z=z,
                x=labels,
                y=[c[:70] for c in todo],
                text=text,
                texttemplate="%{text}",
                hovertext=hover,
                hoverinfo="text",
                zmin=-1,
                zmax=1,
                colorscale=[
                    [0, VERDICT_COLOURS["disagree"]],
                    [0.5, "#f5f5f5"],
                    [1, VERDICT_COLOURS["agree"]],
                ],
                colorbar={"title": "disagree ↔ agree"},
            )
        )
        figure.update_layout(
            height=140 + 70 * len(todo),
            title="Claims × articles (click a cell for its evidence; ⧉ = counts its copies once)",
            xaxis_title=None,
            yaxis_title=None,
        )
        picked = st.plotly_chart(figure, key="stance_matrix", on_select="rerun", selection_mode="points")
        for point in selected_points(picked)[:1]:
            row, col = point.get("y"), point.get("x")
            claim = next((c for c in todo if c[:70] == row), "")
            article = columns[labels.index(col)] if col in labels else ""
            st.session_state["cell"] = f"{todo.index(claim)}:{article}" if claim and article else ""
            sync_url(DEFAULTS)

        cell_options = [""] + [f"{i}:{a}" for i in range(len(todo)) for a in columns]
        if st.session_state["cell"] not in cell_options:
            st.session_state["cell"] = ""

        def cell_label(cell: str) -> str:
            if not cell:
                return "Choose a claim and article…"
            index, article = cell.split(":", 1)
            return f"{todo[int(index)][:60]} · {titles.get(article, article)[:40]}"

        st.selectbox("Evidence for", cell_options, key="cell", format_func=cell_label)
        sync_url(DEFAULTS)
        if st.session_state["cell"]:
            index, _ = st.session_state["cell"].split(":", 1)
            claim = todo[int(index)]
            st.subheader(f"“{escape(claim)}”")
            shown = verdicts[verdicts["claim"] == claim]
            for column, v in zip(st.columns(len(shown)), shown.itertuples(), strict=True):
                with column.container(border=True):
                    st.markdown(f"**{escape(titles[v.article_id])}**")
                    if v.copies:
                        st.caption(
                            "Counted once with its copies: " + ", ".join(escape(titles[c]) for c in v.copies)
                        )
                    colour = VERDICT_COLOURS[v.verdict]
                    st.markdown(
                        f"<span style='color:{colour};font-weight:600'>{v.verdict.upper()}</span> "
                        f"({v.confidence:.2f})",
                        unsafe_allow_html=True,
                    )
                    if not v.quotes:
                        st.caption("No paragraph of this article is close enough to the claim.")
                    for number, q in enumerate(v.quotes):
                        st.markdown(f"> {escape(q['sentence'])}", unsafe_allow_html=True)
                        st.caption(f"{q['label']} {q['confidence']:.2f}")
                        st.markdown(reader_link(q["article_id"], q["ordinal"]))
                        citation_control(
                            get_citations(store).cite(q["paragraph_id"], q["sentence"]),
                            key=f"cite-{v.article_id}-{number}",
                        )

        export = verdicts.assign(
            copies=verdicts["copies"].map(", ".join),
            quotes=verdicts["quotes"].map(
                lambda qs: " | ".join(f"{q['paragraph_id']}: {q['sentence']}" for q in qs)
            ),
        )
        download_buttons(
            "the matrix with its evidence",
            "stance",
            export,
            {"verdicts": verdicts.to_dict("records"), "evidence": evidence.to_dict("records")},
            key="download_stance",
        )
    else:
        st.info("Type a claim above, or add a proposed one, to see where each article stands.")

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
            aligned = align_articles(store, get_stance_model(store.model), left, right)
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
