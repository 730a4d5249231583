import pandas as pd
import pytest

from lib.entities import (
    ENTITY_COLUMNS,
    article_counts,
    cooccurrence,
    entity_counts,
    entity_paragraphs,
    find_entities,
    fold_short_names,
    mention_grid,
    names_in_spans,
    normalise_name,
    paragraphs_with,
    resolve_names,
)
from lib.errors import BadInputError


@pytest.fixture(scope="module")
def groups(bundled_store):
    from lib.corpus.copies import copy_groups, find_copies

    articles = bundled_store.articles()
    return copy_groups(find_copies(articles), articles["article_id"].tolist())


def test_normalise_name_unifies_spelling_variants():
    assert normalise_name("Kim Jong-un’s") == "Kim Jong Un"
    assert normalise_name("Kim Jong Un") == "Kim Jong Un"
    assert normalise_name("kim  jong un") == "Kim Jong Un"
    assert normalise_name("the United States") == "United States"
    assert normalise_name("the U.S.") == normalise_name("US") == "US"
    assert normalise_name("the UN Security Council’s") == "UN Security Council"
    assert normalise_name("Workers’") == "Workers"
    assert normalise_name("AT&T") == "AT&T" and normalise_name("O'Brien") == "O'Brien"
    assert "<" not in normalise_name("<b>Evil</b>")


def test_short_names_fold_into_the_one_full_name_of_the_article():
    folded = fold_short_names(
        [("Kim", "person"), ("Kim Jong Un", "person"), ("Trump", "person"), ("Donald Trump", "person")]
    )
    assert folded[("Kim", "person")] == "Kim Jong Un"
    assert folded[("Trump", "person")] == "Donald Trump"
    assert folded[("Kim Jong Un", "person")] == "Kim Jong Un"
    # the longest of nested full names wins
    nested = fold_short_names([("Kim", "person"), ("Kim Jong", "person"), ("Kim Jong Un", "person")])
    assert nested[("Kim", "person")] == nested[("Kim Jong", "person")] == "Kim Jong Un"


def test_a_short_name_shared_by_two_full_names_is_not_folded():
    folded = fold_short_names([("Kim", "person"), ("Kim Jong Un", "person"), ("Kim Yo Jong", "person")])
    assert folded[("Kim", "person")] == "Kim"
    assert folded[("Kim Jong Un", "person")] == "Kim Jong Un"


def test_only_people_fold_and_only_within_their_kind():
    folded = fold_short_names(
        [
            ("UN", "organisation"),
            ("UN Security Council", "organisation"),
            ("Moon", "place"),
            ("Moon Jae In", "person"),
        ]
    )
    assert folded[("UN", "organisation")] == "UN"
    assert folded[("Moon", "place")] == "Moon"


def test_find_entities_folds_per_article_only():
    paragraphs = pd.DataFrame(
        {
            "paragraph_id": ["a:1", "a:2", "b:1"],
            "article_id": ["a", "a", "b"],
            "ordinal": [1, 2, 1],
            "text": [
                "Kim Jong-un's envoy flew to Pyongyang on Monday.",
                "Kim later met Donald Trump in Hanoi.",
                "Kim spoke to reporters in Seoul.",
            ],
        }
    )
    found = find_entities(pd.DataFrame({"article_id": ["a", "b"]}), paragraphs, encoder=None)
    assert list(found.columns) == ENTITY_COLUMNS
    names = found.groupby("article_id")["name"].agg(set)
    assert {"Kim Jong Un", "Pyongyang", "Donald Trump", "Hanoi"} <= names["a"] and "Kim" not in names["a"]
    assert "Kim" in names["b"]  # article b names no full name: nothing to fold into
    kim = found[(found["paragraph_id"] == "a:2") & (found["name"] == "Kim Jong Un")].iloc[0]
    assert paragraphs.set_index("paragraph_id").at["a:2", "text"][kim["start"] : kim["end"]] == "Kim"


def sample_entities() -> pd.DataFrame:
    rows = [
        ("001", "001:1", "Kim Jong Un", "person"),
        ("001", "001:1", "Pyongyang", "place"),
        ("001", "001:2", "Kim Jong Un", "person"),
        ("001", "001:2", "Pyongyang", "place"),
        ("000", "000:1", "Kim Jong Un", "person"),  # 000 is an abridged copy of 001
        ("000", "000:1", "Pyongyang", "place"),
        ("002", "002:1", "Kim Jong Un", "person"),
        ("002", "002:1", "Seoul", "place"),
    ]
    table = pd.DataFrame(rows, columns=["article_id", "paragraph_id", "name", "kind"])
    return table.assign(start=0, end=1, text=table["name"], label="X")[ENTITY_COLUMNS]


COPY_GROUPS = pd.DataFrame({"article_id": ["000", "001", "002"], "group": ["001", "001", "002"]})


def test_counts_count_an_article_and_its_copies_once():
    separate = entity_counts(sample_entities()).set_index("name")
    assert separate.at["Kim Jong Un", "mentions"] == 4 and separate.at["Kim Jong Un", "articles"] == 3
    once = entity_counts(sample_entities(), COPY_GROUPS).set_index("name")
    assert once.at["Kim Jong Un", "mentions"] == 3 and once.at["Kim Jong Un", "articles"] == 2
    assert once.at["Pyongyang", "mentions"] == 2 and once.at["Pyongyang", "articles"] == 1
    assert once.at["Pyongyang", "article_ids"] == ["000", "001"]  # still lists every article
    assert once.index[0] == "Kim Jong Un" and once.at["Seoul", "kind"] == "place"
    per_article = article_counts(sample_entities())
    assert per_article[per_article["article_id"] == "001"]["mentions"].tolist() == [2, 2]


def test_cooccurrence_by_paragraph_and_article():
    pairs = cooccurrence(sample_entities(), top_n=10)
    together = {(r.a, r.b): r.together for r in pairs.itertuples()}
    assert together == {("Kim Jong Un", "Pyongyang"): 3, ("Kim Jong Un", "Seoul"): 1}
    once = cooccurrence(sample_entities(), top_n=10, by="article", groups=COPY_GROUPS)
    assert {(r.a, r.b): r.together for r in once.itertuples()} == {
        ("Kim Jong Un", "Pyongyang"): 1,
        ("Kim Jong Un", "Seoul"): 1,
    }
    assert cooccurrence(sample_entities(), top_n=1).empty  # one entity makes no pair
    with pytest.raises(BadInputError):
        cooccurrence(sample_entities(), by="sentence")


def test_paragraphs_with_names_and_spans():
    table = sample_entities()
    assert paragraphs_with(table, ["Seoul", "Pyongyang"]) == ["000:1", "001:1", "001:2", "002:1"]
    assert paragraphs_with(table, ["Nobody"]) == []
    spans = pd.DataFrame({"paragraph_id": ["001:1", "002:1", "009:1"], "start": [0, 5, 0], "end": [5, 9, 9]})
    assert names_in_spans(table, spans) == [["Kim Jong Un", "Pyongyang"], [], []]


def test_resolve_names_accepts_variants_and_explains_unknown_ones():
    table = sample_entities()
    assert resolve_names(table, ["kim jong-un", "Kim Jong Un", "the Pyongyang"]) == [
        "Kim Jong Un",
        "Pyongyang",
    ]
    with pytest.raises(BadInputError, match="No entity named 'Kim'.*Try: Kim Jong Un"):
        resolve_names(table, ["Kim"])


def test_bundled_corpus_top_entities_and_kim_counted_as_one(bundled_store, groups):
    entities = bundled_store.table("entities")
    counts = entity_counts(entities, groups)
    top = counts["name"].head(6).tolist()
    assert {"Kim Jong Un", "Donald Trump", "Pyongyang", "North Korea"} <= set(top)
    names = set(entities["name"])
    assert "Kim Jong-un" not in names and "Kim Jong Un’s" not in names
    kim = entities[entities["name"] == "Kim Jong Un"]
    assert {"Kim Jong-un", "Kim", "Kim Jong Un"} <= set(kim["text"])  # variants counted as one
    assert set(kim["article_id"]) == {"000", "001", "002", "003", "004"}
    # 002 names Kim Jong Un, Kim Jong Il, Kim Yong Chol...: its bare "Kim" is left as written
    assert "Kim" in set(entities.loc[entities["article_id"] == "002", "name"])
    assert not (entities["name"] == "Kim").loc[entities["article_id"] != "002"].any()
    separate = entity_counts(entities).set_index("name")
    once = counts.set_index("name")
    assert separate.at["Pyongyang", "articles"] == 5 and once.at["Pyongyang", "articles"] == 4
    assert once.at["Pyongyang", "mentions"] < separate.at["Pyongyang", "mentions"]


def test_bundled_event_actors_use_the_same_names(bundled_store):
    mentions = bundled_store.table("mentions")
    actors = {a for names in mentions.loc[mentions["article_id"] == "003", "actors"] for a in names}
    assert "Kim Jong Un" in actors and "Kim" not in actors and "Kim Jong-un" not in actors


def test_entity_paragraphs_list_where_a_name_is_written(bundled_store):
    entities = bundled_store.table("entities")
    found = entity_paragraphs(entities, bundled_store.paragraphs(), "Xi Jinping")
    assert "003:11" in set(found["paragraph_id"])
    assert found["text"].str.contains("Xi").all()
    assert found.columns.tolist() == ["paragraph_id", "article_id", "ordinal", "text", "written"]


def _mentions(articles: int, sources: list[str], months: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Entities naming "Kim" twice and "Moon" once in each of `articles` articles."""
    ids = [f"a{i:03d}" for i in range(articles)]
    table = pd.DataFrame(
        {
            "article_id": ids,
            "source": [sources[i % len(sources)] for i in range(articles)],
            "published": [months[i % len(months)] for i in range(articles)],
        }
    )
    rows = [(a, name) for a in ids for name in ("Kim", "Kim", "Moon")]
    entities = pd.DataFrame(rows, columns=["article_id", "name"]).assign(
        paragraph_id=lambda f: f["article_id"] + ":1", kind="person"
    )
    return entities, table


def test_the_mentions_heatmap_has_a_column_per_article_only_while_they_fit():
    entities, articles = _mentions(12, ["Wire"], ["2019-02-01"])
    grid = mention_grid(entities, ["Kim", "Moon"], articles, {"a000": "Summit <b>talks</b>"})
    assert grid.by == "article" and grid.mentions.shape == (2, 12)
    assert grid.labels[0] == "a000 · Summit <b>talks</b>" and grid.mentions.loc["Kim", "a000"] == 2

    entities, articles = _mentions(300, ["Reuters", "BBC", "Guardian"], ["2019-02-01"])
    grid = mention_grid(entities, ["Kim", "Moon"], articles, {})
    assert grid.by == "outlet" and sorted(grid.labels) == ["BBC", "Guardian", "Reuters"]
    assert grid.mentions.loc["Kim"].sum() == 600 and grid.mentions.loc["Moon", "BBC"] == 100

    entities, articles = _mentions(300, ["Wire"], ["2019-03-05", "2019-02-27", ""])
    grid = mention_grid(entities, ["Kim", "Moon"], articles, {})
    assert grid.by == "month" and grid.labels == ["2019-02", "2019-03", "undated"]
    assert grid.mentions.loc["Moon"].tolist() == [100, 100, 100]
