"""Spread a batch of independent jobs over the machine's cores, in order, with progress.

The jobs (workbooks to write, files to read) are numbered; each worker process builds its own state
once (`make_worker(*args)`: a writer with its caches, the frameworks) and is then handed ranges of job
numbers. With the `fork` start method the arguments reach the workers without being pickled; results
come back in job order whatever the scheduling, so output stays byte-for-byte reproducible.
Below `min_jobs`, or with one worker, everything runs in this process: a pool costs tens of
milliseconds to start, which small batches never win back.

>>> def squares(offset): return lambda start, stop: [(n + offset) ** 2 for n in range(start, stop)]
>>> map_ranges(squares, (0,), 5, workers=1)  # one worker: in this process (a pool needs module-level functions)
[0, 1, 4, 9, 16]
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

R = TypeVar("R")
Worker = Callable[[int, int], Sequence[Any]]

_worker: Worker | None = None


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS and Windows
        return os.cpu_count() or 1


def worker_count(jobs: int, requested: int | None = None, *, min_jobs: int = 64) -> int:
    """`requested` if given (0 or 1: no pool), else one per core when the batch is worth a pool."""
    if requested is not None:
        return max(1, min(requested, jobs))
    if jobs < min_jobs:
        return 1
    return max(1, min(available_cores(), jobs // (min_jobs // 2)))


def _start(make_worker: Callable[..., Worker], args: tuple[Any, ...]) -> None:
    global _worker
    _worker = make_worker(*args)


def _run(start: int, stop: int) -> Sequence[Any]:
    assert _worker is not None, "the pool's initializer did not run"
    return _worker(start, stop)


def map_ranges(
    make_worker: Callable[..., Worker],
    args: tuple[Any, ...],
    count: int,
    *,
    workers: int,
    chunk: int = 32,
    progress: Callable[[int], None] | None = None,
    on_failure: Callable[[int, BaseException], Any] | None = None,
) -> list[Any]:
    """Results of jobs 0..count-1, in order. `make_worker(*args)` gives a function that runs jobs
    start..stop-1 and returns their results; `progress(job)` is called for every job done.

    With `on_failure`, a range that fails in the pool (its worker raised, or died and broke the pool) is
    run again here a job at a time, and a job that fails alone gives `on_failure(job, exception)` as its
    result: one job never takes the others' results with it. Without it, the exception propagates."""
    size = max(1, min(chunk, -(-count // (max(workers, 1) * 2))))
    ranges = [(start, min(start + size, count)) for start in range(0, count, size)]
    results: list[Any] = []
    if workers <= 1 or len(ranges) <= 1:
        work = make_worker(*args)
        for start, stop in ranges:
            results.extend(_range(work, start, stop, on_failure))
            _report(progress, start, stop)
        return results
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    failed: list[tuple[int, int]] = []
    by_range: dict[tuple[int, int], Sequence[Any]] = {}
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start, initargs=(make_worker, args)) as pool:
        futures = [pool.submit(_run, start, stop) for start, stop in ranges]
        for (start, stop), future in zip(ranges, futures, strict=True):
            try:
                by_range[start, stop] = future.result()
            except Exception:  # BrokenProcessPool too: a worker died
                if on_failure is None:
                    raise
                failed.append((start, stop))
                continue
            _report(progress, start, stop)
    if failed:
        work = make_worker(*args)
        for start, stop in failed:
            by_range[start, stop] = _range(work, start, stop, on_failure)
            _report(progress, start, stop)
    for start_stop in ranges:
        results.extend(by_range[start_stop])
    return results


def _range(
    work: Worker, start: int, stop: int, on_failure: Callable[[int, BaseException], Any] | None
) -> Sequence[Any]:
    """Jobs start..stop-1; when the range fails, each job alone, a failing one replaced by `on_failure`."""
    if on_failure is None:
        return work(start, stop)
    try:
        return work(start, stop)
    except Exception:
        pass
    results: list[Any] = []
    for job in range(start, stop):
        try:
            results.extend(work(job, job + 1))
        except Exception as exc:
            results.append(on_failure(job, exc))
    return results


def _report(progress: Callable[[int], None] | None, start: int, stop: int) -> None:
    if progress is not None:
        for job in range(start, stop):
            progress(job)
