"""The Home page's coverage chart reads at any size: points for a few articles, bars per week or
month and outlet for many, each bar leading back to its articles."""

import pandas as pd

from lib.overview import OTHER_OUTLETS, coverage_over_time


def overview(articles: int, outlets: int, start: str, every_days: int) -> pd.DataFrame:
    days = pd.date_range(start, periods=articles, freq=f"{every_days}D")
    return pd.DataFrame(
        {
            "article_id": [f"a{i:04d}" for i in range(articles)],
            "source": [f"Outlet {i % outlets:02d}" for i in range(articles)],
            "published": [d.date().isoformat() for d in days],
            "words": 100,
        }
    )


def test_a_few_articles_are_points_and_undated_ones_are_counted_apart():
    table = overview(12, 3, "2019-02-01", 1)
    table.loc[0, "published"] = ""
    coverage = coverage_over_time(table)
    assert coverage.by == "article" and len(coverage.table) == 11 and coverage.undated == 1


def test_many_articles_are_counted_per_week_by_their_largest_outlets():
    table = overview(300, 40, "2019-01-01", 2)  # 600 days, 40 outlets
    table.loc[table.index[:60], "source"] = "Outlet 07"  # one outlet larger than the rest
    coverage = coverage_over_time(table)
    assert coverage.by == "week"
    assert coverage.table["articles"].sum() == 300
    outlets = set(coverage.table["outlet"])
    assert len(outlets) == 11 and OTHER_OUTLETS in outlets and "Outlet 07" in outlets
    first = coverage.table.iloc[0]
    assert pd.Timestamp(first["period"]).day_name() == "Monday"
    ids = coverage.articles_in(first["period"], first["outlet"])
    assert len(ids) == first["articles"] and set(ids) <= set(table["article_id"])


def test_a_long_span_is_counted_per_month():
    coverage = coverage_over_time(overview(500, 3, "2015-01-01", 5))  # about seven years
    assert coverage.by == "month"
    assert all(period.endswith("-01") for period in coverage.table["period"])
    assert coverage.table["articles"].sum() == 500
