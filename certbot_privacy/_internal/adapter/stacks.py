"""Requests as requests for the HTTP stacks below and beside ``requests``, and DNS UPDATE.

DNS plugins reach their providers with httpx (certbot-dns-cloudflare), urllib3 used
directly (botocore: certbot-dns-route53), ``http.client`` (httplib2: certbot-dns-google;
urllib) and dnspython (certbot-dns-rfc2136). While privacy mode is on, each of their
requests gets the privacy-mode User-Agent and a ``request`` record before it is sent (if
the record cannot be written, it is not sent), then a ``response`` or ``error`` record:
the adapter turns the library's request into a neutral
:class:`~certbot_privacy._internal.adapter.recorder.Outgoing` and the recorder's one pipeline does
the rest. A request already being recorded by an outer layer (requests on urllib3,
urllib3 on http.client) passes through untouched (:mod:`.inflight`). httplib2 connects
before it calls ``http.client``'s ``request``, so its requests are recorded one layer up,
in ``Http._conn_request`` (recorded as ``http.client``, the stack it sends with).

:func:`install` runs when privacy mode switches on: it wraps the libraries already
imported and, for the others, waits for their import (a finder on ``sys.meta_path`` that
only names them), so a run that never uses httpx never imports it.
"""

from __future__ import annotations

import importlib.abc
import sys
from typing import TYPE_CHECKING, Any, Callable, Optional, Sequence, TypeVar

from certbot_privacy._internal.adapter import inflight
from certbot_privacy._internal.adapter.patching import Patch
from certbot_privacy._internal.adapter.state import RUN
from certbot_privacy._internal.errors import DisclosureLogError
from certbot_privacy._internal.rules import useragent

if TYPE_CHECKING:
    from importlib.machinery import ModuleSpec
    from types import ModuleType

    from certbot_privacy._internal.adapter.recorder import DisclosureRecorder, Outgoing, Sent

#: The attribute on an ``http.client`` connection that holds its request's token.
_PENDING = "_certbot_privacy_sent"


def current_recorder() -> Optional[DisclosureRecorder]:
    """The run's recorder while privacy mode is on and nothing outer records the request."""
    if RUN.policy is None or inflight.current() is not None:
        return None
    return RUN.recorder


def _user_agent() -> Optional[str]:
    return RUN.policy.user_agent if RUN.policy is not None else None


#: What a library's send returns.
T = TypeVar("T")


def record_or_refuse(recorder: DisclosureRecorder, out: Outgoing) -> Sent:
    """Record *out*; if that fails, raise so that nothing is sent (fail closed)."""
    try:
        return recorder.record(out)
    except DisclosureLogError as error:
        raise DisclosureLogError(f"{error} Nothing was sent.") from None


def send_as_recorded(recorder: DisclosureRecorder, sent: Sent, send: Callable[[], T]) -> T:
    """Call *send* as the request recorded as *sent*: inside :func:`inflight.sending` (so
    inner layers and the connection hook know it is recorded), a failure recorded as its
    ``error`` and raised on."""
    try:
        with inflight.sending(sent.seq):
            return send()
    except BaseException as error:
        recorder.send_failed(sent, error)
        raise


def with_user_agent(headers: Any, agent: str) -> list[tuple[str, str]]:
    """*headers* (a mapping, a ``Message`` or pairs) as pairs, with *agent* as User-Agent.

    Headers that describe this host (:data:`useragent.HOST_DETAIL_HEADERS`) are left out.
    """
    pairs = headers.items() if hasattr(headers, "items") else (headers or ())
    kept = [
        (str(k), str(v))
        for k, v in pairs
        if str(k).lower() != "user-agent" and not useragent.describes_host(str(k))
    ]
    return [*kept, ("User-Agent", agent)]


def body_bytes(body: Any) -> tuple[Optional[bytes], bool]:
    """The bytes of a request *body*, and whether it was a stream now read into them."""
    if body is None or isinstance(body, bytes):
        return body, False
    if isinstance(body, (bytearray, memoryview)):
        return bytes(body), False
    if isinstance(body, str):
        return body.encode("utf-8"), False
    data = (
        body.read()
        if hasattr(body, "read")
        else b"".join(c.encode("utf-8") if isinstance(c, str) else bytes(c) for c in body)
    )
    return (data.encode("utf-8") if isinstance(data, str) else bytes(data)), True


def _fixed_length(pairs: list[tuple[str, str]], body: bytes) -> list[tuple[str, str]]:
    """Headers for *body* sent whole: its Content-Length instead of chunked encoding."""
    kept = [(k, v) for k, v in pairs if k.lower() not in ("transfer-encoding", "content-length")]
    return [*kept, ("Content-Length", str(len(body)))]


def _origin(scheme: str, host: str, port: Optional[int]) -> str:
    default = {"http": 80, "https": 443}.get(scheme)
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"{scheme}://{shown}" + ("" if port in (None, default) else f":{port}")


# --- urllib3 (botocore) -------------------------------------------------------------------


def _urllib3_urlopen(original: Callable[..., Any], pool: Any, *args: Any, **kwargs: Any) -> Any:
    recorder = current_recorder()
    agent = _user_agent()
    if agent is None or inflight.current() is not None:
        return original(pool, *args, **kwargs)
    names = ("method", "url", "body", "headers")
    given = dict(zip(names, args))
    rest = args[len(names) :]
    given.update({k: kwargs.pop(k) for k in names if k in kwargs})
    method, url = str(given["method"]), str(given["url"])
    body, streamed = body_bytes(given.get("body"))
    headers = given.get("headers")
    pairs = with_user_agent(pool.headers if headers is None else headers, agent)
    if streamed and body is not None:
        pairs = _fixed_length(pairs, body)
        kwargs["chunked"] = False
    given["body"], given["headers"] = body, dict(pairs)
    if recorder is None:
        return original(pool, *[given[n] for n in names], *rest, **kwargs)
    full = url if "://" in url else _origin(pool.scheme, pool.host, pool.port) + url
    from certbot_privacy._internal.adapter.recorder import Outgoing

    sent = record_or_refuse(recorder, Outgoing("urllib3", method, full, pairs, body, ("Host",)))
    response = send_as_recorded(
        recorder, sent, lambda: original(pool, *[given[n] for n in names], *rest, **kwargs)
    )
    recorder.record_answer(
        sent,
        int(response.status),
        reason=getattr(response, "reason", None) or None,
        location=response.headers.get("Location"),
    )
    return response


def _patch_urllib3(module: ModuleType) -> list[Patch]:
    return [Patch(module.HTTPConnectionPool, "urlopen", _urllib3_urlopen, when=mode_on)]


# --- httpx (certbot-dns-cloudflare), and httpx2 (its fork: dnspython 2.9's DoH) ------------


def _httpx_headers(request: Any, agent: str) -> None:
    """The privacy-mode User-Agent on an httpx *request*, and no header about the host."""
    request.headers["User-Agent"] = agent
    for name in [name for name in request.headers if useragent.describes_host(name)]:
        del request.headers[name]


def _httpx_outgoing(request: Any, body: bytes) -> Outgoing:
    from certbot_privacy._internal.adapter.recorder import Outgoing

    pairs = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw]
    stack = "httpx2" if type(request).__module__.startswith("httpx2") else "httpx"
    return Outgoing(stack, request.method, str(request.url), pairs, body or None, ("Host",))


def _httpx_answered(recorder: DisclosureRecorder, sent: Sent, response: Any) -> None:
    recorder.record_answer(
        sent,
        int(response.status_code),
        reason=response.reason_phrase or None,
        location=response.headers.get("Location"),
    )


def _httpx_handle(original: Callable[..., Any], transport: Any, request: Any) -> Any:
    agent = _user_agent()
    if agent is None:
        return original(transport, request)
    _httpx_headers(request, agent)
    recorder = current_recorder()
    if recorder is None:
        return original(transport, request)
    body = request.read()  # a streamed body is read into bytes, and sent as recorded
    sent = record_or_refuse(recorder, _httpx_outgoing(request, body))
    response = send_as_recorded(recorder, sent, lambda: original(transport, request))
    _httpx_answered(recorder, sent, response)
    return response


async def _httpx_handle_async(original: Callable[..., Any], transport: Any, request: Any) -> Any:
    """``AsyncHTTPTransport.handle_async_request``: as the sync transport, awaited.

    The record is written (and synced) before the request is awaited; while it is, this
    task alone is marked as sending it (:mod:`.inflight` is per task).
    """
    agent = _user_agent()
    if agent is None:
        return await original(transport, request)
    _httpx_headers(request, agent)
    recorder = current_recorder()
    if recorder is None:
        return await original(transport, request)
    body = await request.aread()  # a streamed body is read into bytes, and sent as recorded
    sent = record_or_refuse(recorder, _httpx_outgoing(request, body))
    try:
        with inflight.sending(sent.seq):
            response = await original(transport, request)
    except BaseException as error:
        recorder.send_failed(sent, error)
        raise
    _httpx_answered(recorder, sent, response)
    return response


def _patch_httpx(module: ModuleType) -> list[Patch]:
    return [
        Patch(module.HTTPTransport, "handle_request", _httpx_handle, when=mode_on),
        Patch(module.AsyncHTTPTransport, "handle_async_request", _httpx_handle_async, when=mode_on),
    ]


# --- http.client (httplib2, urllib) -------------------------------------------------------


def _http_client_request(
    original: Callable[..., Any],
    conn: Any,
    method: str,
    url: str,
    body: Any = None,
    headers: Any = None,
    **kwargs: Any,
) -> Any:
    agent = _user_agent()
    if agent is None or inflight.current() is not None:
        return original(conn, method, url, body, {} if headers is None else headers, **kwargs)
    data, streamed = body_bytes(body)
    if isinstance(body, str):  # http.client encodes a text body as ISO-8859-1
        data = body.encode("iso-8859-1")
    pairs = with_user_agent(headers, agent)
    if streamed and data is not None:
        pairs = _fixed_length(pairs, data)
        kwargs.pop("encode_chunked", None)
    recorder = current_recorder()
    if recorder is None:
        return original(conn, method, url, data, dict(pairs), **kwargs)
    import http.client

    scheme = "https" if isinstance(conn, http.client.HTTPSConnection) else "http"
    full = url if "://" in url else _origin(scheme, conn.host, conn.port) + url
    from certbot_privacy._internal.adapter.recorder import Outgoing

    implicit = ("Host", "Accept-Encoding")
    if data is not None and not any(k.lower() == "content-length" for k, _ in pairs):
        pairs = [*pairs, ("Content-Length", str(len(data)))]
    shown = [*pairs, ("Accept-Encoding", "identity")]
    if any(k.lower() == "accept-encoding" for k, _ in pairs):
        shown = pairs
    sent = record_or_refuse(recorder, Outgoing("http.client", method, full, shown, data, implicit))
    result = send_as_recorded(
        recorder, sent, lambda: original(conn, method, url, data, dict(pairs), **kwargs)
    )
    setattr(conn, _PENDING, sent)
    return result


def _http_client_response(original: Callable[..., Any], conn: Any) -> Any:
    sent = conn.__dict__.pop(_PENDING, None)
    recorder = RUN.recorder
    if sent is None or recorder is None:
        return original(conn)
    try:
        response = original(conn)
    except BaseException as error:
        recorder.send_failed(sent, error)
        raise
    recorder.record_answer(
        sent,
        int(response.status),
        reason=response.reason or None,
        location=response.getheader("Location"),
    )
    return response


def _patch_http_client(module: ModuleType) -> list[Patch]:
    connection = module.HTTPConnection
    return [
        Patch(connection, "request", _http_client_request, when=mode_on),
        Patch(connection, "getresponse", _http_client_response),
    ]


# --- httplib2 (certbot-dns-google), over http.client ------------------------------------


def _httplib2_conn_request(
    original: Callable[..., Any],
    client: Any,
    conn: Any,
    request_uri: str,
    method: str,
    body: Any,
    headers: Any,
) -> Any:
    """httplib2 connects before it calls ``http.client``'s ``request``: record it earlier.

    Its ``_conn_request`` (0.20 to 0.32) connects, sends and reads the answer, retrying a
    stale connection inside: one record, before the connection is made.
    """
    agent = _user_agent()
    if agent is None or inflight.current() is not None:
        return original(client, conn, request_uri, method, body, headers)
    data, _ = body_bytes(body)
    pairs = with_user_agent(headers, agent)
    recorder = current_recorder()
    if recorder is None:
        return original(client, conn, request_uri, method, data, dict(pairs))
    import http.client

    scheme = "https" if isinstance(conn, http.client.HTTPSConnection) else "http"
    full = _origin(scheme, conn.host, conn.port) + request_uri
    if data is not None and not any(k.lower() == "content-length" for k, _ in pairs):
        pairs = [*pairs, ("Content-Length", str(len(data)))]
    from certbot_privacy._internal.adapter.recorder import Outgoing

    out = Outgoing("http.client", method, full, pairs, data, ("Host", "Accept-Encoding"))
    sent = record_or_refuse(recorder, out)
    response, content = send_as_recorded(
        recorder, sent, lambda: original(client, conn, request_uri, method, data, dict(pairs))
    )
    recorder.record_answer(
        sent,
        int(response.status),
        reason=getattr(response, "reason", None) or None,
        location=response.get("location"),
    )
    return response, content


def _patch_httplib2(module: ModuleType) -> list[Patch]:
    return [Patch(module.Http, "_conn_request", _httplib2_conn_request, when=mode_on)]


# --- installing ---------------------------------------------------------------------------


def mode_on() -> bool:
    return RUN.policy is not None


def _patch_dns(module: ModuleType) -> list[Patch]:
    from certbot_privacy._internal.adapter import dnsupdate

    return dnsupdate.patches(module)


#: The modules whose functions are wrapped, and how.
TARGETS: dict[str, Callable[[ModuleType], list[Patch]]] = {
    "urllib3.connectionpool": _patch_urllib3,
    "httpx": _patch_httpx,
    "httpx2": _patch_httpx,
    "http.client": _patch_http_client,
    "httplib2": _patch_httplib2,
    "dns.query": _patch_dns,
}

#: The patches installed in this process, by module name.
INSTALLED: dict[str, list[Patch]] = {}

#: The stack (a coverage record's ``request_level`` name) each wrapped module records as.
STACK_OF: dict[str, str] = {
    "urllib3.connectionpool": "urllib3",
    "httpx": "httpx",
    "httpx2": "httpx2",
    "http.client": "http.client",
    "httplib2": "http.client",
    "dns.query": "dns-update",
}


def request_level(armed: bool = False) -> list[str]:
    """The libraries whose requests this run records as requests, in a fixed order.

    ``requests`` (the wire choke point), and each stack whose wrapper is installed (its
    library was imported and patched). With *armed*, also those that would be patched as
    they are imported (:func:`install` waits for them and the library is importable here):
    what ``--privacy-strict`` may count on before the plugin imports its library.
    """
    found = ["requests"]
    waiting = armed and any(isinstance(f, _Finder) for f in sys.meta_path)
    for name, stack in STACK_OF.items():
        if stack not in found and (name in INSTALLED or (waiting and _importable(name))):
            found.append(stack)
    return found


def _importable(name: str) -> bool:
    """Whether the top-level package of *name* can be found on ``sys.path`` (not imported)."""
    from importlib.machinery import PathFinder

    top = name.partition(".")[0]
    return top in sys.modules or PathFinder.find_spec(top) is not None


def install() -> None:
    """Wrap the libraries already imported; the others as soon as they are imported."""
    waiting = False
    for name in TARGETS:
        module = sys.modules.get(name)
        if module is not None:
            _wrap(name, module)
        elif name not in INSTALLED:
            waiting = True
    if waiting and not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())


def uninstall() -> None:
    """Put every wrapped function back and stop waiting for imports (tests)."""
    for patches in INSTALLED.values():
        for patch in patches:
            patch.stop()
    INSTALLED.clear()
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _Finder)]


def _wrap(name: str, module: ModuleType) -> None:
    if name in INSTALLED:
        return
    patches = TARGETS[name](module)
    for patch in patches:
        patch.start()
    INSTALLED[name] = patches


class _Finder(importlib.abc.MetaPathFinder):
    """Wraps a target library right after its import; finds nothing itself."""

    def find_spec(
        self, fullname: str, path: Optional[Sequence[str]], target: Optional[ModuleType] = None
    ) -> Optional[ModuleSpec]:
        if fullname not in TARGETS or fullname in INSTALLED:
            return None
        from importlib.machinery import PathFinder

        spec = PathFinder.find_spec(fullname, path)
        loader = spec.loader if spec is not None else None
        if spec is None or loader is None or not hasattr(loader, "exec_module"):
            return spec
        run = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            run(module)
            _wrap(fullname, module)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec
