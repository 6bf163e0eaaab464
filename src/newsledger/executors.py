"""Where extraction and analysis run: in this process, in worker processes, or on Dask.

Every executor runs the same pure stage functions (``run.extract_one`` and
``run.analyze_batch``) on batches of documents and hands the results back
in input order, so the store has a single writer (this process) and the
database ends up the same whichever executor did the work.

The reader is consumed lazily: at most ``max_in_flight`` batches (default
two per worker) are submitted at a time, so memory stays bounded however
large the input is, and a slow writer slows the readers down instead of
piling results up. Workers receive ``RawDocument`` (the page bytes) and send
back ``Article``/``Analysis`` records pickled as they are (cheaper than
``to_dict`` + ``from_dict``: see benchmarks/throughput_bench.py). Each worker
process loads the analyzer once, on its first batch, and keeps it.

A document that cannot be extracted or analysed comes back as a ``BadInput``
(quarantined by the caller), exactly as without an executor. A worker that
dies or an analyzer that cannot load ends the run with that error.
"""

from __future__ import annotations

import os
import threading
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, wait
from typing import Any, Callable, Iterable, Iterator, Optional, Union

from .schema import Analysis, Article, BadInput, RawDocument

EXECUTORS = ("local", "processes", "dask")

Item = Union[RawDocument, BadInput]
Extracted = Union[Article, BadInput]
# (the batch's documents extracted, in input order; analyses of the articles ``select`` kept, or None)
Batch = tuple[list[Extracted], Optional[list[Union[Analysis, BadInput]]]]
Select = Callable[[list[Article]], list[Article]]

# Threads of one worker process (Dask's threaded workers) share the analyzer; spaCy
# pipelines are not documented as thread-safe, so calls into it take turns.
_ANALYZE_LOCK = threading.Lock()


def extract_documents(raws: list[RawDocument]) -> list[Extracted]:
    """Stage function run by workers: extract each document, failures as BadInput."""
    from .run import extract_one

    return [extract_one(raw) for raw in raws]


def analyze_articles(articles: list[Article]) -> list[Union[Analysis, BadInput]]:
    """Stage function run by workers: analyse with the worker's own analyzer (loaded once)."""
    from .run import analyze_batch, load_analyzer

    with _ANALYZE_LOCK:
        return analyze_batch(load_analyzer(), articles)


def _done(value: Any) -> Future:
    f: Future = Future()
    f.set_result(value)
    return f


class _Job:
    __slots__ = ("batch", "extracting", "items", "analysing", "analysed")

    def __init__(self, batch: list[Item], extracting: Future):
        self.batch = batch
        self.extracting = extracting
        self.items: Optional[list[Extracted]] = None
        self.analysing: Optional[Future] = None
        self.analysed: Optional[list] = None


class Executor:
    """Runs extract (+ analyze) over batches; subclasses say where (``_submit``)."""

    kind = "local"

    def __init__(self, workers: int = 1, max_in_flight: Optional[int] = None):
        self.workers = max(1, int(workers))
        self.max_in_flight = max_in_flight or 2 * self.workers

    def _submit(self, fn: Callable, arg: Any) -> Future:
        try:
            return _done(fn(arg))
        except BaseException as e:  # re-raised by result(), in order, like the pools do
            f: Future = Future()
            f.set_exception(e)
            return f

    def process(self, items: Iterable[Item], *, batch_size: int = 32, analyze: bool = True,
                select: Optional[Select] = None) -> Iterator[Batch]:
        """Extract (and analyse) ``items``; yields one ``Batch`` per input batch, in input order.

        ``select`` runs here, in the caller's process, on each batch's articles
        once they are extracted and returns those to analyse (the runner uses it
        to skip articles stored unchanged). Nothing is analysed when ``analyze``
        is false (the second element is then None).
        """
        from .run import _batched

        source = _batched(items, max(1, int(batch_size)), RawDocument)
        pending: deque[_Job] = deque()
        exhausted = False
        while True:
            while not exhausted and len(pending) < self.max_in_flight:
                batch = next(source, None)
                if batch is None:
                    exhausted = True
                    break
                raws = [x for x in batch if isinstance(x, RawDocument)]
                pending.append(_Job(batch, self._submit(extract_documents, raws) if raws else _done([])))
            if not pending:
                return
            for job in pending:
                self._advance(job, analyze, select)
            head = pending[0]
            if head.items is not None and (not analyze or head.analysed is not None):
                pending.popleft()
                yield head.items, head.analysed
                continue
            running = [f for job in pending for f in (job.extracting, job.analysing) if f is not None and not f.done()]
            if running:
                wait(running, return_when=FIRST_COMPLETED)

    def _advance(self, job: _Job, analyze: bool, select: Optional[Select]) -> None:
        if job.items is None and job.extracting.done():
            extracted = iter(job.extracting.result())
            job.items = [x if isinstance(x, BadInput) else next(extracted) for x in job.batch]
            job.batch = []  # the page bytes are no longer needed: free them early
            if analyze:
                articles = [x for x in job.items if isinstance(x, Article)]
                todo = select(articles) if select else articles
                job.analysing = self._submit(analyze_articles, todo) if todo else _done([])
        if job.analysing is not None and job.analysed is None and job.analysing.done():
            job.analysed = job.analysing.result()

    def close(self) -> None:
        pass

    def __enter__(self) -> "Executor":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class ProcessExecutor(Executor):
    """A local pool of worker processes (``concurrent.futures.ProcessPoolExecutor``)."""

    kind = "processes"

    def __init__(self, workers: Optional[int] = None, max_in_flight: Optional[int] = None):
        from concurrent.futures import ProcessPoolExecutor

        super().__init__(workers or os.cpu_count() or 1, max_in_flight)
        self.pool = ProcessPoolExecutor(max_workers=self.workers)

    def _submit(self, fn: Callable, arg: Any) -> Future:
        return self.pool.submit(fn, arg)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor(Executor):
    """Batches as tasks on a dask.distributed cluster: ``scheduler`` is its address
    (``tcp://host:8786``); without one a LocalCluster of ``workers`` processes is
    started here (``processes=False``: threads in this process, for tests)."""

    kind = "dask"

    def __init__(self, scheduler: Optional[str] = None, workers: Optional[int] = None,
                 max_in_flight: Optional[int] = None, processes: bool = True):
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise RuntimeError("the dask executor needs dask.distributed: pip install 'newsledger[scale]'") from None
        self.cluster = None
        if scheduler:
            self.client = Client(scheduler, timeout="30s")
            found = len(self.client.scheduler_info().get("workers", {}))
            workers = workers or found or 1
        else:
            workers = workers or os.cpu_count() or 1
            self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=processes,
                                        dashboard_address=None)
            self.client = Client(self.cluster)
        super().__init__(workers, max_in_flight)
        # pure=False: two batches with equal bytes are still two tasks (Dask would merge them).
        self.pool = self.client.get_executor(pure=False)

    def _submit(self, fn: Callable, arg: Any) -> Future:
        return self.pool.submit(fn, arg)

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def make_executor(kind: str = "local", *, workers: Optional[int] = None, scheduler: Optional[str] = None,
                  **options: Any) -> Executor:
    """``local`` | ``processes`` | ``dask`` (``scheduler`` = a cluster's address, else a LocalCluster)."""
    if kind == "local":
        return Executor(1, **options)
    if kind == "processes":
        return ProcessExecutor(workers, **options)
    if kind == "dask":
        return DaskExecutor(scheduler, workers, **options)
    raise ValueError(f"unknown executor {kind!r}: choose one of {', '.join(EXECUTORS)}")


__all__ = ["EXECUTORS", "Executor", "ProcessExecutor", "DaskExecutor", "make_executor",
           "extract_documents", "analyze_articles"]
