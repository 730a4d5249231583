"""Index builds on a Ray cluster: the build's per-batch steps run as Ray tasks.

`lib.index.build.build_index` runs its steps (cleaning and splitting; embedding and annotating)
through a runner; `RayRunner` sends each batch to the cluster as a task instead of running
it here. Each worker process loads the embedding model once, by name, and keeps it for the
following tasks. Everything else (reading the corpus, reusing unchanged vectors, writing
the generation) stays in the driver, so the index written is the single-process one.

Workers need the same Python packages as the driver (requirements.txt); the `lib` package
itself is shipped with the job.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from lib.errors import DossierError
from lib.text.embeddings import Encoder, load_encoder

Batch = TypeVar("Batch")
Result = TypeVar("Result")
LIB_DIR = Path(__file__).resolve().parent


class RayRunner:
    """A `lib.index.build.BatchRunner` that runs each batch as a Ray task (one CPU each) and
    returns the results in batch order."""

    def __call__(
        self,
        step: Callable[[Batch, Encoder], Result],
        batches: Sequence[Batch],
        encoder: Encoder,
        on_done: Callable[[int, int], None],
    ) -> list[Result]:
        import ray  # heavy: imported on first use

        task: Any = ray.remote(num_cpus=1)(run_step)
        pending = [task.remote(step, batch, encoder.name) for batch in batches]
        order = {ref: i for i, ref in enumerate(pending)}
        results: list[Any] = [None] * len(pending)
        while pending:
            ready, pending = ray.wait(pending, num_returns=1)
            for ref in ready:
                results[order[ref]] = ray.get(ref)
            on_done(len(batches) - len(pending), len(batches))
        return results


def run_step(step: Callable[[Batch, Encoder], Result], batch: Batch, model: str) -> Result:
    """What a Ray worker runs: one build step over one batch with its cached encoder."""
    return step(batch, worker_encoder(model))


@cache
def worker_encoder(model: str) -> Encoder:
    """The embedding model of this worker process, loaded at its first task."""
    return load_encoder(model)


@contextmanager
def ray_cluster(address: str, num_cpus: int | None = None) -> Iterator[RayRunner]:
    """Connect to the Ray cluster at `address` (`local` starts one on this machine with
    `num_cpus` workers; `auto` finds a running one; `host:6379` or `ray://host:10001` reach
    a remote head) and yield a runner; disconnect afterwards if this call connected."""
    import ray  # heavy: imported on first use

    connected_here = not ray.is_initialized()
    if connected_here:
        options: dict[str, Any] = {
            "include_dashboard": False,
            "log_to_driver": False,
            "runtime_env": {"py_modules": [str(LIB_DIR)]},
        }
        if address == "local":
            options["num_cpus"] = num_cpus
        try:
            ray.init(address=address, **options)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise DossierError(
                f"Could not connect to the Ray cluster at '{address}': {exc}. Start one with "
                "`ray start --head`, or use `--ray local` to run one on this machine."
            ) from exc
    try:
        yield RayRunner()
    finally:
        if connected_here:
            ray.shutdown()
