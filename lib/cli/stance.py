"""`python -m lib stance "claim"` (each article's verdict on a claim, with its quotes),
`train-stance` (build the stance model from the bench data) and `stance-fnc1` (label any
FNC-1-format file with it)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd

from lib.cli.common import add_cite_option, add_location_options, open_located_store, progress_bar
from lib.corpus.citations import CitationBuilder
from lib.corpus.titles import article_titles
from lib.errors import BadInputError
from lib.index.annotators import stored_copy_groups
from lib.settings import PROJECT_DIR, load_settings
from lib.stance.alignment import align_articles
from lib.stance.crossencoder import DEFAULT_CROSS_ENCODER_DIR, StanceCrossEncoder
from lib.stance.crossencoder_training import TrainingConfig, train_cross_encoder
from lib.stance.embedding_cache import DEFAULT_CACHE_DIR
from lib.stance.fnc1 import check_bodies_cover, read_bodies, read_stances, score_stances
from lib.stance.model import DEFAULT_MODEL_DIR, StanceModel
from lib.stance.pairs import DATA_FILES, SENTENCE_CACHE, data_hash, read_dataset, split_dataset
from lib.stance.pipeline import KINDS, label_stances
from lib.stance.proposals import PROPOSAL_COLUMNS
from lib.stance.training import StanceData, train_stance_model
from lib.stance.verdicts import score_claims, validate_claim
from lib.text.embeddings import load_encoder

BENCH_DIR = PROJECT_DIR.parent / "shared" / "bench"


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `stance`, `train-stance` and `stance-fnc1` commands."""
    parser = sub.add_parser("stance", help="Show whether each article agrees with a claim, with quotes.")
    parser.add_argument("claim", nargs="*", help="One or more claims (quote each).")
    parser.add_argument("--json", action="store_true", help="Print verdicts and quotes as JSON.")
    parser.add_argument(
        "--proposed", action="store_true", help="Instead: the statements several articles address."
    )
    parser.add_argument(
        "--align",
        nargs=2,
        metavar=("LEFT", "RIGHT"),
        help="Instead: pair two articles' paragraphs as agreeing, contradicting or unrelated.",
    )
    add_cite_option(parser, "quote")
    add_location_options(parser)
    parser.set_defaults(run=run_stance)
    _register_model_commands(sub)


def _register_model_commands(sub: argparse._SubParsersAction) -> None:
    """Add the `train-stance` and `stance-fnc1` commands."""
    train = sub.add_parser(
        "train-stance",
        help="Train the stance cross-encoder (or the gradient-boosting model); print its dev scores.",
    )
    train.add_argument(
        "--fnc1", type=Path, default=BENCH_DIR / "fnc1", help="Folder with the FNC-1 CSV files."
    )
    train.add_argument(
        "--arc",
        type=Path,
        default=BENCH_DIR / "arc",
        help="Folder with the ARC CSV files; 'none' to leave ARC out.",
    )
    train.add_argument(
        "--kind",
        choices=("crossencoder", "gradient-boosting"),
        default="crossencoder",
        help="Which model to train (default: the cross-encoder, models/stance-crossencoder).",
    )
    train.add_argument("--seed", type=int, default=0, help="Seed of the train/dev split and the training.")
    train.add_argument(
        "--out", type=Path, default=None, help="Folder to write the model to (default: the committed one's)."
    )
    train.add_argument(
        "--limit", type=int, default=None, help="Use only the first N bodies of each split (tests)."
    )
    train.add_argument("--no-cache", action="store_true", help="Do not read or write the sentence caches.")
    defaults = TrainingConfig()
    train.add_argument(
        "--epochs", type=float, default=defaults.epochs, help="Cross-encoder: passes over the examples."
    )
    train.add_argument(
        "--max-len", type=int, default=defaults.max_len, help="Cross-encoder: tokens of claim + passage."
    )
    train.add_argument(
        "--fnc-cap", type=int, default=defaults.budget.fnc_cap, help="Cross-encoder: FNC-1 pairs per class."
    )
    train.add_argument(
        "--arc-cap", type=int, default=defaults.budget.arc_cap, help="Cross-encoder: ARC pairs per class."
    )
    train.add_argument(
        "--stage1",
        type=Path,
        default=DEFAULT_MODEL_DIR,
        help="Cross-encoder: the gradient-boosting model, stage 1 (related or not) and baseline on dev.",
    )
    train.set_defaults(run=run_train_stance)

    fnc1 = sub.add_parser(
        "stance-fnc1", help="Predict stances for FNC-1-format files; write the same format."
    )
    fnc1.add_argument("--bodies", type=Path, required=True, help="Bodies CSV (Body ID, articleBody).")
    fnc1.add_argument(
        "--stances", type=Path, required=True, help="Stances CSV (Headline, Body ID[, Stance])."
    )
    fnc1.add_argument(
        "--out", type=Path, required=True, help="Predictions CSV to write (Headline, Body ID, Stance)."
    )
    fnc1.add_argument(
        "--model", type=Path, default=None, help="Gradient-boosting model folder (default models/stance)."
    )
    fnc1.add_argument(
        "--crossencoder",
        type=Path,
        default=None,
        help="Cross-encoder folder (default: the DOSSIER_STANCE_MODEL setting).",
    )
    fnc1.add_argument(
        "--kind",
        choices=KINDS,
        default="stacked",
        help="What labels related pairs: the stacked models (default, best on dev), the cross-encoder "
        "or the gradient-boosting model alone.",
    )
    fnc1.set_defaults(run=run_stance_fnc1)


def _read_dataset(name: str, folder: Path, bodies_file: str, stances_file: str) -> StanceData:
    """One labelled FNC-1-format data set from its folder; `BadInputError` when unusable."""
    if not folder.is_dir():
        raise BadInputError(f"The {name} folder {folder} does not exist.")
    bodies = read_bodies(folder / bodies_file)
    stances = read_stances(folder / stances_file)
    if "Stance" not in stances.columns:
        raise BadInputError(f"{folder / stances_file} has no Stance column: training needs labelled pairs.")
    check_bodies_cover(stances, bodies)
    return StanceData(name, bodies, stances)


def _print_scores(name: str, scores: dict) -> None:
    per_class = "  ".join(f"{label} {value:.3f}" for label, value in scores["per_class_f1"].items())
    print(
        f"{name}: FNC score {scores['fnc_score_pct']:.2f} %  macro-F1 {scores['macro_f1']:.3f}  ({per_class})"
    )


def run_train_stance(args: argparse.Namespace) -> int:
    """Train, print the dev scores, and save the model with its metadata."""
    if args.limit is not None and args.limit < 2:
        raise BadInputError("--limit must be at least 2 bodies.")
    if args.kind == "gradient-boosting":
        return _train_gradient_boosting(args)
    folders = {"fnc1": args.fnc1} | ({} if str(args.arc).lower() == "none" else {"arc": args.arc})
    datasets, files = [], []
    for name, folder in folders.items():
        bodies, stances = read_dataset(name, folder)
        datasets.append(split_dataset(name, bodies, stances, args.seed, limit=args.limit))
        files += [folder / file for file in DATA_FILES[name]]
    config = TrainingConfig(
        seed=args.seed,
        max_len=args.max_len,
        epochs=args.epochs,
        budget=replace(TrainingConfig().budget, fnc_cap=args.fnc_cap, arc_cap=args.arc_cap),
    )
    out = args.out or DEFAULT_CROSS_ENCODER_DIR
    stage1 = StanceModel.load(args.stage1)

    def log(message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    model, report = train_cross_encoder(
        datasets,
        config,
        stage1,
        out,
        None if args.no_cache else SENTENCE_CACHE,
        None if args.no_cache else DEFAULT_CACHE_DIR,
        log,
    )
    model.metadata["data_sha256"] = data_hash(files)
    model.metadata["limit"] = args.limit
    model.metadata["command"] = " ".join(["python -m lib train-stance", *_given_options(args)])
    model.save(out)
    for name, entry in report["scores"].items():
        _print_scores(f"{name} cross-encoder (stage 1 gradient boosting)", entry["cross_encoder_stage1_gb"])
        _print_scores(f"{name} gradient boosting", entry["gradient_boosting"])
        _print_scores(f"{name} stacked (cross-fitted)", entry["stacked_stage1_gb_crossfit"])
    print(f"temperature {report['temperature']}, 'not clear' below {report['not_clear_threshold']}")
    print(f"model written to {out}")
    return 0


def _given_options(args: argparse.Namespace) -> list[str]:
    """The cross-encoder options of a train-stance run that differ from the defaults."""
    defaults = TrainingConfig()
    given = {
        "--seed": (args.seed, 0),
        "--epochs": (args.epochs, defaults.epochs),
        "--max-len": (args.max_len, defaults.max_len),
        "--fnc-cap": (args.fnc_cap, defaults.budget.fnc_cap),
        "--arc-cap": (args.arc_cap, defaults.budget.arc_cap),
        "--limit": (args.limit, None),
    }
    return [f"{option} {value}" for option, (value, default) in given.items() if value != default]


def _train_gradient_boosting(args: argparse.Namespace) -> int:
    """`--kind gradient-boosting`: the feature-based model (models/stance), as before."""
    from tqdm import tqdm  # heavy: imported on first use

    fnc1 = _read_dataset("fnc1", args.fnc1, "train_bodies.csv", "train_stances.csv")
    arc = None
    if str(args.arc).lower() != "none":
        arc = _read_dataset("arc", args.arc, "arc_bodies.csv", "arc_stances_train.csv")
    bars: dict[str, tqdm] = {}

    def progress(step: str, done: int, total: int) -> None:
        bar = bars.get(step)
        if bar is None:
            bar = bars[step] = tqdm(total=total, desc=step, unit="item", leave=True)
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    model, report = train_stance_model(
        fnc1,
        seed=args.seed,
        arc=arc,
        limit=args.limit,
        cache_dir=None if args.no_cache else DEFAULT_CACHE_DIR,
        progress=progress,
    )
    out = args.out or DEFAULT_MODEL_DIR
    model.metadata["data"] = {"fnc1": str(args.fnc1), "arc": None if arc is None else str(args.arc)}
    model.metadata["command"] = "python -m lib train-stance --kind gradient-boosting" + (
        f" --seed {args.seed}" if args.seed else ""
    )
    model.save(out)
    for name, scores in report["scores"].items():
        _print_scores(name, scores)
    print(f"model written to {out}")
    return 0


def run_stance_fnc1(args: argparse.Namespace) -> int:
    """Label every (Headline, Body ID) row and write the rows back with a Stance column."""
    from tqdm import tqdm  # heavy: imported on first use

    bodies = read_bodies(args.bodies)
    stances = read_stances(args.stances)
    check_bodies_cover(stances, bodies)
    if not args.out.parent.is_dir():
        raise BadInputError(f"The folder of --out ({args.out.parent}) does not exist.")
    boosting = StanceModel.load(args.model or DEFAULT_MODEL_DIR)
    crossencoder = None
    if args.kind != "gradient-boosting":
        crossencoder = StanceCrossEncoder.load(args.crossencoder or load_settings().stance_model)
    with tqdm(unit="item", file=sys.stderr) as bar:

        def progress(what: str, done: int, total: int) -> None:
            if bar.desc != what:
                bar.reset(total)
                bar.set_description(what)
            bar.total = total
            bar.update(done - bar.n)

        labels = label_stances(
            stances, dict(zip(bodies["Body ID"], bodies["articleBody"], strict=True)), boosting,
            crossencoder, args.kind, progress,
        )  # fmt: skip
    result = stances.loc[:, ["Headline", "Body ID"]].copy()
    result["Stance"] = labels
    result.to_csv(args.out, index=False)
    print(f"{len(result)} predictions written to {args.out}")
    if "Stance" in stances.columns:
        scores = score_stances(stances["Stance"], result["Stance"]).to_dict()
        _print_scores("score against the given Stance column", scores)
        print(json.dumps({"confusion (gold rows, predicted columns)": scores["confusion"]}))
    return 0


def run_stance(args: argparse.Namespace) -> int:
    """Score the claims against every article of the index: the page's verdicts, as text or JSON."""
    if args.proposed or args.align:
        return _run_stance_views(args)
    claims = [validate_claim(c) for c in args.claim or [""]]
    settings, store = open_located_store(args)
    encoder = load_encoder(store.model)
    model = StanceCrossEncoder.load(settings.stance_model)
    groups = stored_copy_groups(store)
    with progress_bar("Scoring claims") as progress:
        result = score_claims(store, encoder, model, claims, groups, progress=progress)
    citations = CitationBuilder(store.articles(), store.paragraphs()) if args.cite else None
    if args.json:
        records = result.verdicts.to_dict("records")
        if citations is not None:
            for record in records:
                for q in record["quotes"]:
                    q["citation"] = citations.cite(q["paragraph_id"], q["sentence"]).text
        print(json.dumps({"verdicts": records}, ensure_ascii=False, indent=2, default=str))
        return 0
    titles = article_titles(store.articles(), store.paragraphs())
    for claim, verdicts in result.verdicts.groupby("claim", sort=False):
        print(f"Claim: {claim}")
        for v in verdicts.itertuples():
            copies = f" (with its copies {', '.join(v.copies)})" if v.copies else ""
            confidence = "" if v.confidence is None or pd.isna(v.confidence) else f" ({v.confidence:.2f})"
            print(f"  {v.article_id} {titles[v.article_id][:60]}{copies}: {v.verdict.upper()}{confidence}")
            for q in v.quotes:
                print(f"      {q['paragraph_id']} [{q['stance']} {q['probability']:.2f}] “{q['sentence']}”")
                if citations is not None:
                    print(f"        cite: {citations.cite(q['paragraph_id'], q['sentence']).text}")
    print(
        f"note: verdicts below {model.threshold:.2f} calibrated probability are NOT CLEAR; "
        "the model was trained on news headlines and debate posts: read the quotes (docs/stance-model.md).",
        file=sys.stderr,
    )
    return 0


def _run_stance_views(args: argparse.Namespace) -> int:
    """`--proposed` (the Stance page's proposed claims) or `--align` (its pair view)."""
    _, store = open_located_store(args)
    if args.proposed:
        table = store.table("proposed_claims").reindex(columns=PROPOSAL_COLUMNS)
        columns = ["claim", "paragraph_id", "articles"]
    else:
        known = set(store.articles()["article_id"])
        for article_id in args.align:
            if article_id not in known:
                raise BadInputError(
                    f"There is no article '{article_id}': list them with `python -m lib list`."
                )
        if args.align[0] == args.align[1]:
            raise BadInputError("--align needs two different articles.")
        model = StanceModel.load(encoder=load_encoder(store.model))
        table = align_articles(store, model, *args.align)
        columns = ["left_paragraph", "relation", "similarity", "right_paragraph", "left_text", "right_text"]
    if args.json:
        print(json.dumps(table[columns].to_dict("records"), ensure_ascii=False, indent=2, default=str))
        return 0
    if table.empty:
        print("Nothing found.")
    for row in table[columns].itertuples(index=False):
        if args.proposed:
            print(f"{row.articles:>3} articles  {row.paragraph_id:<10} {row.claim}")
        else:
            print(f"{row.left_paragraph:<10} {row.relation:<13} {row.similarity:.2f}  {row.right_paragraph}")
    return 0
