"""Which request record a request-level adapter is sending right now (per thread and task).

Request-level adapters (requests, urllib3, httpx, http.client, DNS UPDATE) write the
``request`` record first and then send inside :func:`sending`; the connection audit hook
reads :func:`current` to mark a connection made at that moment ``seen: "request"``. The
outermost adapter records and the inner ones see :func:`current` set and pass through, so
no request is recorded twice (requests sits on urllib3, urllib3 on http.client).

A context variable, not a thread-local: each thread starts without one, as before, and
each asyncio task has its own, so that while one task awaits a recorded request (httpx's
``AsyncClient``) another task's connections are not taken for that request's.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator, Optional

_SEQ: ContextVar[Optional[int]] = ContextVar("certbot_privacy_inflight", default=None)


def current() -> Optional[int]:
    """The ``seq`` of the request record being sent in this thread or task, or ``None``."""
    return _SEQ.get()


@contextmanager
def sending(seq: int) -> Iterator[None]:
    """Say, while the block runs, that this thread (or task) sends the request *seq*."""
    token = _SEQ.set(seq)
    try:
        yield
    finally:
        _SEQ.reset(token)
