"""The Stance page's claims matrix at any corpus size, as plain tables.

Up to `MAX_ARTICLE_COLUMNS` stories the matrix has one column per story (an article and its
copies) and each cell is that story's verdict. Beyond, one column per outlet (the articles'
source), each cell the shares of its stories that agree, disagree, discuss or are not clear (the
rest do not address the claim), and a drill-down lists the outlet's stories sorted by confidence.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lib.stance.verdicts import NOT_ADDRESSED, NOT_CLEAR, VERDICTS

MAX_ARTICLE_COLUMNS = 20
VERDICT_CODES = {"disagree": -1.0, "discuss": 0.0, NOT_CLEAR: 0.0, NOT_ADDRESSED: 0.0, "agree": 1.0}
"""Where each verdict sits on the heatmap's disagree-agree scale (discuss and abstentions in the middle)."""
NO_SOURCE = "(no source)"
SHARE_KINDS = ("agree", "disagree", "discuss", NOT_CLEAR)


@dataclass
class ClaimMatrix:
    """A claims x columns matrix ready to draw: `z` on the disagree (-1) to agree (+1) scale,
    the `text` shown in each cell, `hover` (plain text), and each column's key and label."""

    by: str
    """"article" (one column per story) or "outlet"."""
    claims: list[str]
    columns: list[str]
    labels: list[str]
    z: list[list[float]]
    text: list[list[str]]
    hover: list[list[str]]


def matrix_kind(verdicts: pd.DataFrame) -> str:
    """ "article" when the claim's stories fit as columns, else "outlet"."""
    stories = verdicts["article_id"].nunique() if len(verdicts) else 0
    return "article" if stories <= MAX_ARTICLE_COLUMNS else "outlet"


def article_matrix(verdicts: pd.DataFrame, claims: list[str], titles: dict[str, str]) -> ClaimMatrix:
    """One column per story; each cell its verdict and confidence (⧉: copies counted once)."""
    columns = list(dict.fromkeys(verdicts["article_id"]))
    grid = verdicts.set_index(["claim", "article_id"])
    z, text, hover = [], [], []
    for claim in claims:
        z_row, text_row, hover_row = [], [], []
        for article_id in columns:
            v = grid.loc[(claim, article_id)]
            sure = v["verdict"] in ("agree", "disagree", "discuss")
            z_row.append(VERDICT_CODES[v["verdict"]] * (float(v["confidence"]) if sure else 1.0))
            shown = f"{v['verdict']} {v['confidence']:.2f}" if sure else v["verdict"]
            text_row.append(shown + (" ⧉" if v["copies"] else ""))
            top = v["quotes"][0]["sentence"] if v["quotes"] else "no sentence speaks to the claim"
            hover_row.append(f"{shown}: {_clip(top, 140)}")
        z.append(z_row)
        text.append(text_row)
        hover.append(hover_row)
    labels = [f"{a} · {_clip(titles.get(a, a), 28)}" for a in columns]
    return ClaimMatrix("article", claims, columns, labels, z, text, hover)


def outlet_shares(verdicts: pd.DataFrame, sources: dict[str, str]) -> pd.DataFrame:
    """Per claim and outlet: its stories (`stories`) and the share of each verdict among them
    (`share_agree`, ..., `share_not addressed`), outlets with most stories first."""
    table = verdicts.assign(source=[sources.get(a) or NO_SOURCE for a in verdicts["article_id"]])
    counts = pd.crosstab([table["claim"], table["source"]], table["verdict"]).reindex(
        columns=VERDICTS, fill_value=0
    )
    shares = counts.div(counts.sum(axis=1), axis=0).add_prefix("share_")
    shares.insert(0, "stories", counts.sum(axis=1))
    shares = shares.reset_index()
    order = table.groupby("source")["article_id"].nunique().sort_values(ascending=False, kind="stable")
    rank = {source: i for i, source in enumerate(order.index)}
    return shares.sort_values("source", key=lambda s: s.map(rank), kind="stable").reset_index(drop=True)


def outlet_matrix(verdicts: pd.DataFrame, claims: list[str], sources: dict[str, str]) -> ClaimMatrix:
    """One column per outlet; each cell the shares of its stories by verdict, coloured by the
    share that agrees less the share that disagrees."""
    shares = outlet_shares(verdicts, sources)
    columns = list(dict.fromkeys(shares["source"]))
    grid = shares.set_index(["claim", "source"])
    z, text, hover = [], [], []
    for claim in claims:
        z_row, text_row, hover_row = [], [], []
        for source in columns:
            if (claim, source) not in grid.index:
                z_row.append(0.0)
                text_row.append("")
                hover_row.append("")
                continue
            row = grid.loc[(claim, source)]
            z_row.append(float(row["share_agree"] - row["share_disagree"]))
            parts = [f"{kind} {row[f'share_{kind}']:.0%}" for kind in SHARE_KINDS if row[f"share_{kind}"]]
            text_row.append("<br>".join(parts) or "not addressed")
            counts = ", ".join(f"{kind} {row[f'share_{kind}']:.0%}" for kind in VERDICTS)
            hover_row.append(f"{source}: {int(row['stories'])} stories; {counts}")
        z.append(z_row)
        text.append(text_row)
        hover.append(hover_row)
    labels = [_clip(source, 30) for source in columns]
    return ClaimMatrix("outlet", claims, columns, labels, z, text, hover)


def outlet_stories(verdicts: pd.DataFrame, claim: str, source: str, sources: dict[str, str]) -> pd.DataFrame:
    """An outlet's verdicts on a claim: stories with a stance first, most confident first, then
    "not clear", then "not addressed"."""
    own = verdicts[
        (verdicts["claim"] == claim)
        & verdicts["article_id"].map(lambda a: (sources.get(a) or NO_SOURCE) == source)
    ]
    rank = {"agree": 0, "disagree": 0, "discuss": 0, NOT_CLEAR: 1, NOT_ADDRESSED: 2}
    ordered = own.assign(
        _rank=own["verdict"].map(rank), _confidence=own["confidence"].fillna(0.0).astype(float)
    )
    ordered = ordered.sort_values(["_rank", "_confidence"], ascending=[True, False], kind="stable")
    return ordered.drop(columns=["_rank", "_confidence"]).reset_index(drop=True)


def export_table(verdicts: pd.DataFrame, titles: dict[str, str], sources: dict[str, str]) -> pd.DataFrame:
    """The verdicts as flat CSV rows: title, source, copies, verdict, probabilities and quotes."""
    return verdicts.assign(
        title=[titles.get(a, a) for a in verdicts["article_id"]],
        source=[sources.get(a) or "" for a in verdicts["article_id"]],
        copies=verdicts["copies"].map(", ".join),
        quotes=verdicts["quotes"].map(
            lambda qs: " | ".join(
                f"{q['paragraph_id']} [{q['stance']} {q['probability']:.2f}]: {q['sentence']}" for q in qs
            )
        ),
    )[
        [
            "claim",
            "article_id",
            "title",
            "source",
            "copies",
            "verdict",
            "confidence",
            "p_agree",
            "p_disagree",
            "p_discuss",
            "quotes",
        ]
    ]


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
