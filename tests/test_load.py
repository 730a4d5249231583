"""Twenty colleagues on one deployed dashboard at once (bench/load.py's scenario, shortened):
every session gets its own results and its own address, nothing errors, and the server's
memory grows only by a small per-session amount, because the model and the index are loaded
once per process (st.cache_resource) and shared."""

from __future__ import annotations

import asyncio

import pytest

from bench.load import ACTIONS, run_load
from tests.browser_fixtures import serve, server_env
from tests.conftest import SEEDS

pytestmark = pytest.mark.browser
FEW, MANY = 5, 20
# Per connected session the server keeps its session state, widget values, a script thread and
# its last messages: a few MB at most (2 MB measured, docs/benchmarks.md). Anything loaded per
# session instead of once per process would cost far more: the embedding model alone is ~90 MB,
# the stance model and spaCy pipeline more, so 20 MB per session separates the two.
MAX_MB_PER_SESSION = 20


@pytest.fixture(scope="module")
def load_report(bundled_index, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("load-server")
    with serve(server_env(SEEDS, bundled_index, workdir / "no-user-corpus"), workdir) as server:
        yield asyncio.run(run_load(server, [FEW, MANY], rounds=1))


def test_concurrent_sessions_get_their_own_results_without_errors(load_report):
    assert load_report.errors == []
    for action in ACTIONS:
        assert len(load_report.latencies[MANY][action]) == MANY


def test_memory_grows_only_by_small_per_session_state(load_report):
    per_session = load_report.per_session_mb(FEW, MANY)
    print(f"\n{load_report.table()}\nper extra session: {per_session:.1f} MB")
    assert per_session < MAX_MB_PER_SESSION
