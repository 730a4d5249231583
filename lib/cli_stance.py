"""`python -m lib stance "claim"`: each article's verdict on a claim, with its quotes."""

from __future__ import annotations

import argparse
import json
import sys

from lib.cli import add_location_options, open_located_store


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `stance` command."""
    parser = sub.add_parser("stance", help="Show whether each article agrees with a claim, with quotes.")
    parser.add_argument("claim", nargs="+", help="One or more claims (quote each).")
    parser.add_argument("--json", action="store_true", help="Print verdicts and quotes as JSON.")
    add_location_options(parser)
    parser.set_defaults(run=run_stance)


def run_stance(args: argparse.Namespace) -> int:
    """Score the claims against every article of an existing index."""
    from tqdm import tqdm

    from lib.copies import corpus_copy_groups
    from lib.embeddings import load_encoder
    from lib.stance import score_claims, validate_claim
    from lib.stance_model import StanceModel

    claims = [validate_claim(c) for c in args.claim]
    _, store = open_located_store(args)
    encoder = load_encoder(store.model)
    model = StanceModel.load(encoder=encoder)
    articles = store.articles()
    groups = corpus_copy_groups(articles)
    with tqdm(total=len(claims), desc="Scoring claims", unit="claim", file=sys.stderr) as bar:
        result = score_claims(
            store, encoder, model, claims, groups, progress=lambda done, total: bar.update(1)
        )
    if args.json:
        records = result.verdicts.to_dict("records")
        print(json.dumps({"verdicts": records}, ensure_ascii=False, indent=2, default=str))
        return 0
    titles = dict(zip(articles["article_id"], articles["title"], strict=True))
    for claim, verdicts in result.verdicts.groupby("claim", sort=False):
        print(f"Claim: {claim}")
        for v in verdicts.itertuples():
            copies = f" (with its copies {', '.join(v.copies)})" if v.copies else ""
            title = titles.get(v.article_id) or "untitled"
            print(f"  {v.article_id} {title[:60]}{copies}: {v.verdict.upper()} ({v.confidence:.2f})")
            for q in v.quotes:
                print(
                    f"      {q['paragraph_id']} [{q['label']} {q['confidence']:.2f}] “{q['sentence'][:200]}”"
                )
    print(
        "note: the stance model was trained on FNC-1 news headlines, not on opinion claims; "
        "check the quotes (docs/stance-model.md).",
        file=sys.stderr,
    )
    return 0
