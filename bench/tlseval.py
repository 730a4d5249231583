"""Timeline evaluation helpers as tilse computes them, for bench/timeline_quality.py.

- `date_f1` lives in keyevents (tilse / news-tls `evaluate_dates`).
- `align_rouge`: tilse's `evaluate_align_date_content_costs_many_to_one` ("AR" in news-tls):
  each predicted date is aligned to the gold date of least cost (date distance factor x
  (1 - approximate ROUGE-1 F)), and vice versa for recall; ROUGE-n counts of aligned summaries
  are weighted by 1 / (1 + |days apart|); unaligned summaries count with zero matches.
  ROUGE counts: lower-cased alphanumeric tokens, stopwords removed, Porter-stemmed, clipped n-gram
  matches, which is what tilse's pyrouge (Rouge155(stem=True, ignore_stopwords=True)) does. The
  stopword list here is scikit-learn's English list, not ROUGE-1.5.5's SMART list, so figures are
  close to, not identical with, published ones.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date
from functools import lru_cache

import numpy as np

_TOKEN = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


@lru_cache(maxsize=1)
def _stemmer():  # noqa: ANN202
    from nltk.stem.porter import PorterStemmer

    return PorterStemmer()


@lru_cache(maxsize=200000)
def _stem(word: str) -> str:
    return _stemmer().stem(word)


def tokens(text: str) -> list[str]:
    """ROUGE tokens: lower case, alphanumeric runs, stopwords out, Porter stems."""
    stop = _stopwords()
    return [
        _stem(w)
        for w in _TOKEN.findall(text.lower().replace("-lrb-", " ").replace("-rrb-", " "))
        if w not in stop
    ]


def _ngrams(sentences: Sequence[str], n: int) -> Counter:
    out: Counter = Counter()
    for s in sentences:
        t = tokens(s)
        out.update(tuple(t[i : i + n]) for i in range(len(t) - n + 1))
    return out


def rouge_counts(pred: Sequence[str], ref: Sequence[str], n: int) -> tuple[int, int, int]:
    """(matches, predicted n-grams, reference n-grams) for one summary pair."""
    p, r = _ngrams(pred, n), _ngrams(ref, n)
    return sum(min(c, r[g]) for g, c in p.items()), sum(p.values()), sum(r.values())


def _approx_rouge1(pred: Sequence[str], ref: Sequence[str]) -> float:
    """tilse util.compute_rouge_approximation: unigram F1 on whitespace tokens, one reference."""
    p = Counter(w for s in pred for w in s.split())
    r = Counter(w for s in ref for w in s.split())
    match = sum(min(c, r[w]) for w, c in p.items())
    prec = match / sum(p.values()) if p else 0.0
    rec = match / sum(r.values()) if r else 0.0
    return 0.0 if prec + rec == 0 else 2 * prec * rec / (prec + rec)


def align_rouge(
    predicted: Mapping[date, Sequence[str]], gold: Mapping[date, Sequence[str]], n: int
) -> dict[str, float]:
    """AR-n precision / recall / F (tilse align+ m:1) of a predicted timeline against one gold one."""
    pred_dates, ref_dates = sorted(predicted), sorted(gold)
    if not pred_dates or not ref_dates:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0}

    def cost(a: date, b: date, pred_date: date, ref_date: date) -> float:
        factor = 1 - 1 / (abs(a.toordinal() - b.toordinal()) + 1)
        return factor * (1 - _approx_rouge1(predicted[pred_date], gold[ref_date]))

    prec_cost = np.array([[cost(p, r, p, r) for r in ref_dates] for p in pred_dates])
    rec_cost = np.array([[cost(r, p, p, r) for p in pred_dates] for r in ref_dates])
    p_num = p_den = r_num = r_den = 0.0
    for i, p in enumerate(pred_dates):
        r = ref_dates[int(prec_cost[i].argmin())]
        match, n_pred, _ = rouge_counts(predicted[p], gold[r], n)
        p_num += match / (abs(p.toordinal() - r.toordinal()) + 1)
        p_den += n_pred
    for j, r in enumerate(ref_dates):
        p = pred_dates[int(rec_cost[j].argmin())]
        match, _, n_ref = rouge_counts(predicted[p], gold[r], n)
        r_num += match / (abs(p.toordinal() - r.toordinal()) + 1)
        r_den += n_ref
    prec = p_num / p_den if p_den else 0.0
    rec = r_num / r_den if r_den else 0.0
    return {"precision": prec, "recall": rec, "f1": 0.0 if prec + rec == 0 else 2 * prec * rec / (prec + rec)}
