"""Python's cyclic garbage collector, paused while objects that live on are made by the hundred thousand.

Each collection walks every container object alive, and a run of ingest or assessment makes a million of
them (rows, results, their dicts and lists), none in a reference cycle: the collections cost a fifth of
the assessment and grow with the company. While paused nothing is lost (reference counting still frees
everything that is not cyclic); the collector is back as it was when the block ends.

>>> import gc
>>> with collector_paused():
...     gc.isenabled()
False
>>> gc.isenabled()
True
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
