"""Load: many concurrent browser sessions against a real `streamlit run app.py` on loopback.

Each session is its own Playwright browser context (cookies, websocket, Streamlit session) in
ONE headless Chromium (Debian's). Sessions join in steps (1, 5, 10, 20 by default) and stay
connected; at each step every live session runs, all at once, `rounds` times:
- open:   load the Search page, until its search box is ready;
- search: type the session's own query into the box and submit, until its hits render;
- link:   open a shared search link with another query of its own, until its hits render.
After every action the session checks that nothing shows an exception, that the hits are for
ITS query (the caption, the box and every highlighted word) and that the address bar's query
parameters are its own. After each step: resident memory of the server and its children.

    python bench/load.py --steps 1,5,10,20 --rounds 1
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lib.text.terms import stem, stems  # noqa: E402
from tests.browser_fixtures import (  # noqa: E402
    EXCEPTION,
    SETTLED,
    StreamlitServer,
    ensure_chromium,
    serve,
    server_env,
)

ACTIONS = ("open", "search", "link")
TOPICS = [
    "sanctions relief",
    "missile test",
    "Xi Jinping visited Pyongyang",
    "Singapore summit agreement",
    "Hanoi talks collapsed",
    "denuclearisation of the peninsula",
    "Moon Jae-in mediation",
    "year-end deadline",
    "nuclear weapons programme",
    "Vladimir Putin",
    "economic pressure on Pyongyang",
    "United States policy",
]
WAIT_MS = 180_000


def session_query(session: int, round_: int, action: str) -> str:
    """A query only this session sends (its number makes it unique), topic varied per round."""
    shift = 0 if action == "search" else len(TOPICS) // 2
    return f"{TOPICS[(session + round_ + shift) % len(TOPICS)]} {session}"


@dataclass
class LoadReport:
    """Latencies per step and action, memory per step, and every check that failed."""

    latencies: dict[int, dict[str, list[float]]] = field(default_factory=lambda: defaultdict(dict))
    rss: dict[int, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def per_session_mb(self, low: int, high: int) -> float:
        """Memory the server grew by per extra connected session between two steps, in MB."""
        return (self.rss[high] - self.rss[low]) / (high - low) / 2**20

    def table(self) -> str:
        rows = ["| sessions | action | n | p50 s | p95 s | server RSS MB |", "|---|---|---|---|---|---|"]
        for step, actions in self.latencies.items():
            for action in ACTIONS:
                values = actions.get(action, [])
                rows.append(
                    f"| {step} | {action} | {len(values)} | {percentile(values, 50):.2f} | "
                    f"{percentile(values, 95):.2f} | {self.rss[step] / 2**20:.0f} |"
                )
        return "\n".join(rows)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


async def check_hits(page, query: str) -> None:  # noqa: ANN001 - a Playwright async Page
    """The page shows hits for `query`, and only for it; raises AssertionError otherwise."""
    from playwright.async_api import expect

    if await page.locator(EXCEPTION).count():
        raise AssertionError(f"exception box for {query!r}")
    box = page.get_by_label("Search the articles")
    try:  # the box is filled a moment after the hits under load: wait for it, a bounded while
        await expect(box).to_have_value(query, timeout=WAIT_MS)
    except AssertionError:
        raise AssertionError(f"search box holds {await box.input_value()!r}, not {query!r}") from None
    url_query = parse_qs(urlsplit(page.url).query).get("q")
    if url_query != [query]:
        raise AssertionError(f"address bar has q={url_query}, not {query!r}")
    wanted = stems(query)
    marks = page.locator('[data-testid="stMain"] mark')
    await marks.first.wait_for(timeout=WAIT_MS)
    marked = await marks.all_inner_texts()
    foreign = [w for w in marked if stem(w.lower()) not in wanted]
    if not marked or foreign:
        raise AssertionError(f"hits for {query!r} highlight {foreign or 'nothing'}")


async def run_session(page, url: str, session: int, round_: int, report: LoadReport, step: int) -> None:  # noqa: ANN001
    """One round of a session's actions, timed; a failed check is recorded, never raised."""
    timings = report.latencies[step]
    try:
        started = time.perf_counter()
        await page.goto(f"{url}/search")
        await page.get_by_label("Search the articles").wait_for()
        await page.wait_for_selector(SETTLED)
        timings.setdefault("open", []).append(time.perf_counter() - started)

        query = session_query(session, round_, "search")
        started = time.perf_counter()
        await page.get_by_label("Search the articles").fill(query)
        await page.get_by_role("button", name="Search", exact=True).click()
        await page.get_by_text(f"for “{query}”").wait_for()
        await page.locator(".st-key-hit-1").wait_for()
        timings.setdefault("search", []).append(time.perf_counter() - started)
        await page.wait_for_selector(SETTLED)
        await check_hits(page, query)

        query = session_query(session, round_, "link")
        started = time.perf_counter()
        await page.goto(f"{url}/search?{urlencode({'q': query})}")
        await page.get_by_text(f"for “{query}”").wait_for()
        await page.locator(".st-key-hit-1").wait_for()
        timings.setdefault("link", []).append(time.perf_counter() - started)
        await page.wait_for_selector(SETTLED)
        await check_hits(page, query)
    except Exception as exc:  # noqa: BLE001 - every failure is a finding of the load run
        report.errors.append(f"session {session}, round {round_}, {step} sessions: {exc}")


async def run_load(server: StreamlitServer, steps: list[int], rounds: int) -> LoadReport:
    """Ramp up to each step's number of connected sessions and run `rounds` rounds at each."""
    from playwright.async_api import async_playwright

    report = LoadReport()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=ensure_chromium(), headless=True)
        warm = await browser.new_context()
        warm.set_default_timeout(WAIT_MS)
        await run_session(await warm.new_page(), server.url, 999, 0, LoadReport(), 0)  # loads the model
        await warm.close()
        pages = []
        for step in steps:
            while len(pages) < step:
                context = await browser.new_context(viewport={"width": 1280, "height": 900})
                context.set_default_timeout(WAIT_MS)
                pages.append(await context.new_page())
            for round_ in range(rounds):
                await asyncio.gather(
                    *(run_session(page, server.url, n, round_, report, step) for n, page in enumerate(pages))
                )
            await asyncio.sleep(2)  # let the server finish what the last reruns left
            report.rss[step] = server.rss_bytes()
        await browser.close()
    return report


def prebuilt_index(workdir: Path) -> Path:
    """An index of the bundled corpus, built before the server starts."""
    from lib.index.build import build_index
    from lib.settings import BUNDLED_CORPUS, DEFAULT_MODEL
    from lib.text.embeddings import load_encoder

    index = workdir / "index"
    build_index(BUNDLED_CORPUS, index, load_encoder(DEFAULT_MODEL))
    return index


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", default="1,5,10,20", help="numbers of connected sessions, rising")
    parser.add_argument("--rounds", type=int, default=1, help="rounds of actions per session and step")
    args = parser.parse_args()
    steps = [int(s) for s in args.steps.split(",")]
    from lib.settings import BUNDLED_CORPUS

    with tempfile.TemporaryDirectory(prefix="dossier-load-") as tmp:
        workdir = Path(tmp)
        index = prebuilt_index(workdir)
        with serve(server_env(BUNDLED_CORPUS, index, workdir / "no-user-corpus"), workdir) as server:
            idle = server.rss_bytes()
            started = time.perf_counter()
            report = asyncio.run(run_load(server, steps, args.rounds))
            seconds = time.perf_counter() - started
    print(report.table())
    print(f"\nserver RSS before any session: {idle / 2**20:.0f} MB; run took {seconds:.0f} s")
    for low, high in zip(steps, steps[1:], strict=False):
        print(
            f"memory per extra session, {low} -> {high} sessions: {report.per_session_mb(low, high):.1f} MB"
        )
    print(f"failed checks: {len(report.errors)}")
    for error in report.errors:
        print("  " + error)
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
