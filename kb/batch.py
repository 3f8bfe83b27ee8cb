"""Extraction of many articles: cached results first, then the rest, serially or in parallel.

:func:`extract_all` looks every article up in a :class:`kb.store.cache.FactsCache`
first and loads the pkuseg pipeline only when something is left to extract,
so an unchanged rebuild never pays the model's seconds and gigabyte. With
``jobs > 1`` the pipeline is loaded once in this process and worker
processes are forked from it (the ``fork`` start method, POSIX only): they
share the model's memory copy-on-write instead of loading it again each.
With ``dask`` the articles left go to a Dask distributed cluster instead
(:mod:`kb.cluster`): the parent keeps the cache and never loads the model.
Results come back in input order whatever order the workers finish in.

While the model loads, a spinner says so on a terminal's stderr (nothing
when stderr is not a terminal, so logs and tests see no change).

An article kb fails on (a bug) gives an :class:`~kb.errors.ExtractionError`
naming the file in its place: the other articles are still extracted. A cache
that cannot be written (a read-only folder, a full disk) is reported once, as
a warning on the ``kb`` logger (one line on stderr when logging is not set
up), and the build goes on without storing anything more in it.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from kb.store.cache import FactsCache
from kb.errors import ExtractionError, KbError
from kb.ingest.articles import Article
from kb.records.models import ArticleFacts

log = logging.getLogger("kb")

Progress = Callable[[list], Iterable]
Result = ArticleFacts | ExtractionError

# What forked workers inherit from the parent: the loaded pipeline and the
# articles to extract (by index, so no article or model is ever pickled).
_WORKER_NLP: Any = None
_WORKER_ARTICLES: Sequence[Article] = ()

DASK_MISSING = "--dask needs Dask's distributed scheduler, which is not installed: pip install 'kb[dask]'"
LOAD_NOTICE = "loading the segmentation model…"




def extract_all(
    articles: Sequence[Article],
    *,
    model: str | None = None,
    segmenter: str = "pkuseg",
    tagger: str = "lac",
    jobs: int = 1,
    cache: FactsCache | None = None,
    progress: Progress = iter,
    dask: bool | str = False,
) -> list[Result]:
    """The facts of each article (or the error kb met on it), in the order given.

    ``cache``: reuse and store results there (None: extract everything, store
    nothing). ``jobs``: worker processes for what is not cached. ``dask``:
    extract on a Dask cluster instead, the scheduler at this address
    (``tcp://host:8786``) or, with True, a local cluster of ``jobs`` workers.
    ``progress`` wraps the list of articles (a progress bar, say) and is
    advanced as each article is done, cached ones first.
    """
    articles = list(articles)
    results: list[Result | None] = [cache.get(a) if cache is not None else None for a in articles]
    todo = [i for i, facts in enumerate(results) if facts is None]
    if todo:  # before the progress bar starts: a terminal shows one live display at a time
        done = _extract_on_cluster if dask else _extract_here
        extracted = done([articles[i] for i in todo], model, segmenter, tagger, jobs, dask)
    ticks = iter(progress(articles))
    for _ in range(len(articles) - len(todo)):
        next(ticks, None)
    if todo:
        for index, facts in extracted:
            results[todo[index]] = facts
            if cache is not None and isinstance(facts, ArticleFacts):
                cache = _store(cache, articles[todo[index]], facts)
            next(ticks, None)
    for _ in ticks:  # let a progress bar reach its end and close
        pass
    return results  # type: ignore[return-value]  # every slot is filled by now


def _store(cache: FactsCache, article: Article, facts: ArticleFacts) -> FactsCache | None:
    """Put ``facts`` in ``cache``; the cache to go on with: None once it cannot be written."""
    try:
        cache.put(article, facts)
    except OSError as err:
        log.warning("kb: warning: cannot write to the cache %s (%s); building without caching",
                    cache.folder, err.strerror or err)
        return None
    return cache


def _extract_here(articles: list[Article], model, segmenter, tagger, jobs, dask) -> Iterator[tuple[int, Result]]:
    """The pipeline loaded now, in this process; the extraction when iterated."""
    with loading_notice(LOAD_NOTICE):
        from kb.extract import load_checked_pipeline  # spaCy: only when something is left to extract

        nlp = load_checked_pipeline(model, segmenter, tagger)
    return _extract(nlp, articles, jobs)


def _extract_on_cluster(articles: list[Article], model, segmenter, tagger, jobs, dask) -> Iterator[tuple[int, Result]]:
    """Rules checked here (a bad file stops kb before any worker starts); the
    cluster started, its workers loaded, now; the extraction when iterated."""
    from kb.extract import check_rules

    check_rules()
    cluster = require_dask()
    address = dask if isinstance(dask, str) else None
    return cluster.extract_on_cluster(articles, address, model=model, segmenter=segmenter, tagger=tagger,
                                      workers=jobs, notice=loading_notice)


def require_dask():
    """:mod:`kb.cluster`, or a one-line :class:`KbError` saying how to install Dask."""
    try:
        import kb.cluster
    except ImportError as error:
        if (error.name or "").split(".")[0] in ("dask", "distributed"):
            raise KbError(DASK_MISSING) from None
        raise
    return kb.cluster


@contextlib.contextmanager
def loading_notice(message: str) -> Iterator[None]:
    """A spinner with ``message`` on stderr while the block runs, when stderr is a terminal."""
    from rich.console import Console

    console = Console(stderr=True)
    if not console.is_terminal:
        yield
        return
    with console.status(message):
        yield


def _extract(nlp, articles: list[Article], jobs: int) -> Iterator[tuple[int, Result]]:
    """(index, facts) for each article as it is done: serially, or by ``jobs`` forked workers."""
    jobs = max(1, min(jobs, len(articles)))
    if jobs == 1:
        from kb.extract import extract_safely

        # What is alive now (the pipeline, its rules) outlives the extraction: out of the
        # collector's generations, a full collection no longer walks it (about a tenth of
        # kb's own CPU on 34 real pages).
        gc.freeze()
        try:
            yield from ((i, extract_safely(nlp, a)) for i, a in enumerate(articles))
        finally:
            gc.unfreeze()
        return
    yield from _extract_forked(nlp, articles, jobs)


def _extract_forked(nlp, articles: list[Article], jobs: int) -> Iterator[tuple[int, Result]]:
    from kb.nlp.pipeline import load_whole_model

    global _WORKER_NLP, _WORKER_ARTICLES
    _WORKER_NLP, _WORKER_ARTICLES = nlp, articles
    load_whole_model(nlp)  # one feature table, shared, instead of one built per worker
    # Objects alive now are never collected in the children, so the collector
    # does not write to (and so copy) the pages holding the model.
    gc.freeze()
    try:
        # Longest first: the last articles handed out are short, so no worker is left with a
        # long one while the others wait.
        order = sorted(range(len(articles)), key=lambda i: -len(articles[i].text))
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            yield from pool.imap_unordered(_extract_one, order, chunksize=1)
    finally:
        gc.unfreeze()
        _WORKER_NLP, _WORKER_ARTICLES = None, ()


def _extract_one(index: int) -> tuple[int, Result]:
    """In a forked worker: extract one article with the inherited pipeline."""
    from kb.extract import extract_safely  # imported already in the parent the worker forked from

    return index, extract_safely(_WORKER_NLP, _WORKER_ARTICLES[index])
