"""Extraction on a Dask distributed cluster: ``kb build DIR --dask [ADDRESS]``.

:func:`extract_on_cluster` connects to the scheduler at ``ADDRESS``
(``tcp://host:8786``) or, without one, starts a ``LocalCluster`` on this
machine (one single-threaded worker process per job). Every worker loads the
pipeline once, through a :class:`PipelinePlugin` registered with the client:
it carries the options (model, segmenter, tagger) and the rule files
themselves, so a worker on another machine extracts with the rules the parent
checked and the facts cache hashed. Articles go out in batches of at most
:data:`BATCH`, smaller when there are too few articles to give every worker
thread two; each result comes back with its article's index, so the caller
puts them in input order. A local cluster has no more workers than articles.

The facts cache stays in the parent (:mod:`kb.batch`): cached articles are never
sent, and fresh results are stored by the parent. An article kb fails on comes
back as its :class:`~kb.errors.ExtractionError`; so does every article of a
batch whose worker died.

Workers on other machines need kb installed (the same version) and the pkuseg
model: ``--model`` names a folder that must exist on them, else each uses its
own cache (``kb model fetch``). This module imports ``distributed``: import it
only when ``--dask`` is asked for (:func:`kb.batch.require_dask`).
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

from distributed import Client, LocalCluster, as_completed, get_worker
from distributed.diagnostics.plugin import WorkerPlugin

from kb import paths
from kb.extract import extract_safely, load_checked_pipeline
from kb.errors import ExtractionError, KbError
from kb.ingest.articles import Article

if TYPE_CHECKING:
    from kb.batch import Result

BATCH = 16  # articles per task: few enough to spread, many enough that a task outweighs its overhead
PLUGIN = "kb-pipeline"
CLUSTER_NOTICE = "starting Dask workers and loading the segmentation model on each…"

Notice = Callable[[str], AbstractContextManager]


class PipelinePlugin(WorkerPlugin):
    """Loads kb's pipeline once in each worker, with the parent's options and rule files."""

    def __init__(self, model: str | None, segmenter: str, tagger: str, rules: dict[str, bytes]):
        self.model, self.segmenter, self.tagger, self.rules = model, segmenter, tagger, rules
        self.nlp = None
        self._folder: str | None = None

    async def setup(self, worker) -> None:
        # In a thread: the load takes seconds, and the worker's event loop must keep answering the scheduler.
        await asyncio.to_thread(self._load)

    def _load(self) -> None:

        self._folder = tempfile.mkdtemp(prefix="kb-rules-")
        for name, data in self.rules.items():
            target = Path(self._folder, name)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        os.environ["KB_RULES_DIR"] = self._folder  # the worker process is kb's alone
        self.nlp = load_checked_pipeline(self.model, self.segmenter, self.tagger)

    def teardown(self, worker) -> None:
        self.nlp = None
        if self._folder:
            shutil.rmtree(self._folder, ignore_errors=True)


def rule_files(folder: Path | None = None) -> dict[str, bytes]:
    """Every file of the rules folder by its relative (POSIX) path."""
    folder = folder or paths.rules_dir()
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def extract_batch(articles: Sequence[Article]) -> list[Result]:
    """In a worker: the facts of each article (or its error), with the plugin's pipeline."""
    nlp = get_worker().plugins[PLUGIN].nlp
    return [extract_safely(nlp, article) for article in articles]


def extract_on_cluster(
    articles: Sequence[Article],
    address: str | None = None,
    *,
    model: str | None = None,
    segmenter: str = "pkuseg",
    tagger: str = "lac",
    workers: int | None = None,
    notice: Notice | None = None,
) -> Iterator[tuple[int, Result]]:
    """Connect (or start a local cluster) and load the workers now; when iterated,
    ``(index, facts)`` for each article as its batch finishes, then disconnect."""
    notice = notice or (lambda message: nullcontext())
    articles = list(articles)
    with notice(CLUSTER_NOTICE):
        client, cluster = _connect(address, min(workers or os.cpu_count() or 1, max(1, len(articles))))
        try:
            client.register_plugin(PipelinePlugin(model, segmenter, tagger, rule_files()), name=PLUGIN)
        except BaseException:
            _close(client, cluster)
            raise
    threads = sum(w["nthreads"] for w in client.scheduler_info()["workers"].values())
    # Two batches a worker thread at least, so one that finishes early takes another.
    size = max(1, min(BATCH, math.ceil(len(articles) / (2 * max(1, threads)))))
    return _results(client, cluster, articles, size)


def _connect(address: str | None, workers: int) -> tuple[Client, LocalCluster | None]:
    if address:
        try:
            return Client(address), None
        except OSError as error:  # no scheduler there, or it did not answer in time
            raise KbError(f"cannot connect to the Dask scheduler at {address}: {error}") from None
    # No dashboard (its port may be taken, and it needs bokeh). Dask's own log lines are
    # silenced: a worker's failure (a missing model, say) is raised here, in one line.
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           dashboard_address=None, silence_logs=logging.CRITICAL)
    return Client(cluster), cluster


def _results(client: Client, cluster: LocalCluster | None, articles: list[Article],
             size: int) -> Iterator[tuple[int, Result]]:
    try:
        starts = range(0, len(articles), size)
        batches = [articles[start:start + size] for start in starts]
        futures = client.map(extract_batch, batches, pure=False)
        start_of = {future.key: start for future, start in zip(futures, starts)}
        for future in as_completed(futures):
            start = start_of[future.key]
            for offset, result in enumerate(_batch_results(future, articles[start:start + size])):
                yield start + offset, result
    finally:
        _close(client, cluster)


def _batch_results(future, batch: list[Article]) -> list[Result]:
    try:
        return future.result()
    except Exception as error:  # noqa: BLE001 - a worker that died fails its batch, not the run
        return [ExtractionError(article.path, error) for article in batch]


def _close(client: Client, cluster: LocalCluster | None) -> None:
    client.close()
    if cluster is not None:
        cluster.close()
