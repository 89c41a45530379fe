"""Which request record a request-level adapter is sending right now (per thread).

Request-level adapters (requests, urllib3, httpx, http.client, DNS UPDATE) write the
``request`` record first and then send inside :func:`sending`; the connection audit hook
reads :func:`current` to mark a connection made at that moment ``seen: "request"``. The
outermost adapter records and the inner ones see :func:`current` set and pass through, so
no request is recorded twice (requests sits on urllib3, urllib3 on http.client).
"""

import threading
from contextlib import contextmanager
from typing import Iterator, Optional

_LOCAL = threading.local()


def current() -> Optional[int]:
    """The ``seq`` of the request record being sent in this thread, or ``None``."""
    return getattr(_LOCAL, "seq", None)


@contextmanager
def sending(seq: int) -> Iterator[None]:
    """Say, while the block runs, that this thread sends the request recorded as *seq*."""
    outer = getattr(_LOCAL, "seq", None)
    _LOCAL.seq = seq
    try:
        yield
    finally:
        _LOCAL.seq = outer
