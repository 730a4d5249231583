"""`python -m lib views` (the saved views, as the Home page lists them) and `python -m lib brief`
(one document from saved views, queries and claims: key events, stance, passages, every
statement cited; HTML or Markdown by the file's suffix)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from lib.brief.document import PASSAGES, brief_request, make_brief
from lib.brief.render import render_html, render_markdown
from lib.brief.views import ViewStore
from lib.cli.common import add_location_options, open_located_store
from lib.errors import BadInputError
from lib.settings import load_settings
from lib.stance.crossencoder import StanceCrossEncoder
from lib.text.embeddings import load_encoder

RENDERERS = {".html": render_html, ".htm": render_html, ".md": render_markdown, ".markdown": render_markdown}


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `views` and `brief` commands."""
    views = sub.add_parser("views", help="List the saved views: name, page, owner, when, link.")
    views.add_argument("--user", help="Only this signed-in user's views (an empty string: the shared views).")
    views.add_argument("--json", action="store_true", help="Print the views as JSON.")
    views.set_defaults(run=run_views)

    brief = sub.add_parser(
        "brief", help="Write a brief (key events, stance, passages, all cited) as HTML or Markdown."
    )
    brief.add_argument(
        "--view", action="append", default=[], metavar="NAME", help="A saved search, stance or timeline view."
    )
    brief.add_argument("--query", action="append", default=[], metavar="Q", help="A query's top passages.")
    brief.add_argument("--claim", action="append", default=[], metavar="C", help="A claim to compare on.")
    brief.add_argument("-k", type=int, default=PASSAGES, help=f"Passages per --query (default {PASSAGES}).")
    brief.add_argument(
        "--user", default="", help="Whose saved views --view names (default: the shared views)."
    )
    brief.add_argument(
        "--out", type=Path, required=True, metavar="FILE", help="FILE.html (charts inline) or FILE.md."
    )
    add_location_options(brief)
    brief.set_defaults(run=run_brief)


def run_views(args: argparse.Namespace) -> int:
    """Print the saved views, newest first (every user's unless --user)."""
    store = ViewStore(load_settings().views_file)
    views = store.views(args.user)
    if store.damage_note:
        print(f"note: {store.damage_note}", file=sys.stderr)
    if args.json:
        records = [
            {
                "name": v.name,
                "page": v.page,
                "query": v.query,
                "link": v.link,
                "user": v.user,
                "created": v.created,
            }
            for v in views
        ]
        print(json.dumps(records, ensure_ascii=False, indent=2))
        return 0
    if not views:
        print("No saved view yet: save one from a page's sidebar in the dashboard.")
    for v in views:
        print(f"{v.name}  [{v.page or 'home'}]  {v.created}  {v.user or 'shared'}  {v.link}")
    return 0


def run_brief(args: argparse.Namespace) -> int:
    """Assemble the brief and write it; the format comes from the suffix of --out."""
    render = RENDERERS.get(args.out.suffix.lower())
    if render is None:
        raise BadInputError(
            f"--out must end in .html or .md (got '{args.out.name}'): the suffix chooses the format."
        )
    if not args.out.parent.is_dir():
        raise BadInputError(f"The folder of --out ({args.out.parent}) does not exist.")
    if args.k < 1:
        raise BadInputError("-k must be at least 1.")
    views = ViewStore(load_settings().views_file)
    chosen = [views.get(name, args.user) for name in args.view]
    if views.damage_note:
        print(f"note: {views.damage_note}", file=sys.stderr)
    request = brief_request(chosen, args.query, args.claim, k=args.k)
    settings, store = open_located_store(args)
    encoder = load_encoder(store.model)
    model = StanceCrossEncoder.load(settings.stance_model) if request.all_claims else None
    brief = make_brief(store, encoder, request, settings, model)
    args.out.write_text(render(brief), encoding="utf-8")
    print(
        f"Brief written to {args.out}: {sum(len(s.events) for s in brief.events)} key events, "
        f"{len(brief.stances)} claims, {len(brief.passages)} queries, {len(brief.citations)} citations."
    )
    return 0
