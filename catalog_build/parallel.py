"""Chunks of work in forked processes that inherit the caller's memory (the loaded catalogue,
MkDocs' files and navigation): only chunk numbers go to a worker, only results come back."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_TASK: tuple[Callable[[Sequence[Any]], Any], Sequence[Any]] | None = None


def chunks(count: int, size: int) -> list[range]:
    return [range(start, min(start + size, count)) for start in range(0, count, size)]


def fork_map(
    work: Callable[[Sequence[T]], R],
    items: Sequence[T],
    *,
    workers: int,
    chunk: int,
    initializer: Callable[[], None] | None = None,
) -> Iterator[R]:
    """`work` applied to consecutive chunks of `items`, results in completion order.

    The workers start at once, so the caller can do other work before it reads the results. In
    this process (lazily, as results are read) when one worker is asked for or there is a single
    chunk: a small change costs no fork.
    """
    parts = chunks(len(items), chunk)
    if workers <= 1 or len(parts) <= 1:
        return (work([items[i] for i in part]) for part in parts)
    global _TASK
    _TASK = (work, items)
    try:
        pool = multiprocessing.get_context("fork").Pool(min(workers, len(parts)), initializer=initializer)
    finally:
        _TASK = None  # the workers have their copy
    return _drain(pool, pool.imap_unordered(_run_chunk, parts))


def _drain(pool: Any, results: Iterator[R]) -> Iterator[R]:
    finished = False
    try:
        yield from results
        finished = True
    finally:
        if finished:
            pool.close()
        else:
            pool.terminate()
        pool.join()


def _run_chunk(part: range) -> Any:
    assert _TASK is not None, "fork_map's task is inherited through fork"
    work, items = _TASK
    return work([items[i] for i in part])
