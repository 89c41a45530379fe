"""The choke point below every library: each destination the process reaches, recorded first.

A CPython audit hook (:func:`sys.addaudithook`) sees ``socket.getaddrinfo``,
``socket.gethostbyname`` (and ``gethostbyname_ex``), ``socket.gethostbyaddr``,
``socket.connect``, ``socket.sendto`` and ``socket.sendmsg`` of every library of the
process (requests, httpx, botocore, httplib2, dnspython, ...) before the bytes leave. The
first time in a run that a destination is reached, a ``connection`` record is written and
synced before the call goes on; if it cannot be written, the call raises (certbot stops
with that sentence) and nothing is sent. The hook is installed once, when privacy mode
first switches on (never at import: ``certbot --version`` does not pay for it); a hook
cannot be removed, so while privacy mode is off it returns at once.

What it cannot see: other processes (hooks, which :mod:`.coverage` records as ``hook``
records), and native code that opens its own sockets (a Go library loaded in-process).
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import sys
import threading
import time
import weakref
from typing import TYPE_CHECKING, Any, Callable, Dict, Optional, Set, Tuple

from certbot_privacy._internal.adapter import inflight

#: The audit events the hook acts on (every other event returns at the first test).
_EVENTS = frozenset(
    (
        "socket.connect",
        "socket.sendto",
        "socket.sendmsg",
        "socket.getaddrinfo",
        "socket.gethostbyname",
        "socket.gethostbyaddr",
        "socket.bind",
    )
)

#: The events that only ask the system resolver (a name, or an address in reverse).
_LOOKUPS = frozenset(("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr"))

#: Modules skipped when finding who opened a connection: the socket layer and this package.
_PLUMBING = ("socket", "ssl", "selectors", "asyncio", "certbot_privacy")

#: Modules whose listener is certbot's own (the standalone authenticator).
_STANDALONE = ("acme.standalone", "certbot._internal.plugins.standalone")

#: Unix socket paths that are the log's own (the syslog mirror's), and what each is.
_OWN_PATHS: Dict[str, str] = {"/dev/log": "syslog"}

if TYPE_CHECKING:  # typing aliases cost every private run import time; they only type
    #: Destination key: (host, port, transport).
    Destination = Tuple[str, Optional[int], str]

    #: What the hook writes to: ``append(record, durable)`` of the run's log, and its path.
    Source = Callable[[], Any]


class Watch:
    """What one log has seen in this process: destinations, and the level each was seen at."""

    def __init__(self) -> None:
        #: Destination -> "request" (every contact was a recorded request) or "connection".
        self.destinations: Dict[Destination, str] = {}
        #: (address, port, transport) that a connection record names already.
        self.addresses: Set[Tuple[str, Optional[int], str]] = set()


class AuditHook:
    """The hook's state: the log in force (through *current*), per-log watches, own sockets."""

    def __init__(self, current: Source) -> None:
        self.current = current
        self.watches: Dict[str, Watch] = {}
        self.lock = threading.RLock()
        self.local = threading.local()
        #: (address, port) -> the name getaddrinfo resolved before connecting there.
        self.names: Dict[Tuple[str, Optional[int]], str] = {}
        #: Sockets the standalone authenticator bound (their port is known once bound).
        self.standalone: weakref.WeakSet[Any] = weakref.WeakSet()

    def __call__(self, event: str, args: Tuple[Any, ...]) -> None:
        if event not in _EVENTS:
            return
        log = self.current()
        if log is None:
            return
        self.handle(log, event, args)

    def watch_for(self, path: str) -> Watch:
        """The watch of the log at *path* (made on first use)."""
        watch = self.watches.get(path)
        if watch is None:
            watch = self.watches[path] = Watch()
        return watch

    def handle(self, log: Any, event: str, args: Tuple[Any, ...]) -> None:
        """Act on one socket event while privacy mode is on (raises to stop the call)."""
        if event == "socket.getaddrinfo":
            self._resolving(log, args)
        elif event in ("socket.gethostbyname", "socket.gethostbyaddr"):
            self._looking_up(log, event, args[0])
        elif event == "socket.bind":
            self._bound(args[0], args[1])
        elif args[1] is not None:  # None: sendmsg on a connected socket (its connect was seen)
            target = _destination(args[0], args[1])
            if target is not None:
                host, port, transport, numeric = target
                pending = getattr(self.local, "pending", None)
                if numeric is not None and pending is not None and pending[1] == port:
                    self.names[(numeric, port)] = pending[0]  # the name just resolved
                if numeric is not None:
                    host = self.names.get((numeric, port), host)
                self._contact(log, event, host, port, transport, numeric)

    def _resolving(self, log: Any, args: Tuple[Any, ...]) -> None:
        host, port = args[0], _port(args[1])
        if isinstance(host, bytes):
            host = host.decode("ascii", "replace")
        if not isinstance(host, str) or not host or _is_address(host):
            self.local.pending = None
            return
        # getaddrinfo's answer is not in the event: the connects of this thread that follow,
        # on this port, are to the addresses this name resolved to.
        self.local.pending = (host, port)
        transport = "udp" if len(args) > 3 and args[3] == socket.SOCK_DGRAM else "tcp"
        self._contact(log, "socket.getaddrinfo", host, port, transport, None)

    def _looking_up(self, log: Any, event: str, name: Any) -> None:
        """``gethostbyname(_ex)`` and ``gethostbyaddr``: the C library's resolver is about
        to be asked about *name* (a name, or for ``gethostbyaddr`` an address to reverse).

        Recorded as ``getaddrinfo`` without a port or socket type is (port ``None``,
        transport ``tcp``); a numeric address given to ``gethostbyname`` is no lookup.
        """
        if isinstance(name, bytes):
            name = name.decode("ascii", "replace")
        if not isinstance(name, str) or not name:
            return
        numeric = _is_address(name)
        if numeric and event == "socket.gethostbyname":
            return
        self._contact(log, event, name, None, "tcp", name if numeric else None)

    def _bound(self, sock: Any, address: Any) -> None:
        if not isinstance(address, tuple) or len(address) < 2:
            return
        frame: Any = sys._getframe()
        while frame is not None:
            if str(frame.f_globals.get("__name__", "")).startswith(_STANDALONE):
                with contextlib.suppress(TypeError):  # not weakly referenceable
                    self.standalone.add(sock)
                return
            frame = frame.f_back

    def _standalone_ports(self) -> Set[int]:
        ports = set()
        for sock in list(self.standalone):
            with contextlib.suppress(OSError, IndexError, TypeError):
                ports.add(int(sock.getsockname()[1]))
        return ports

    def _contact(
        self,
        log: Any,
        via: str,
        host: str,
        port: Optional[int],
        transport: str,
        address: Optional[str],
    ) -> None:
        seen = "request" if inflight.current() is not None else "connection"
        key: Destination = (host, port, transport)
        where = None if address is None else (address, port, transport)
        with self.lock:
            watch = self.watch_for(log.path)
            level = watch.destinations.get(key)
            if level is not None and level != seen:
                watch.destinations[key] = "connection"
            new_address = where is not None and where not in watch.addresses
            if level is not None and not new_address:
                return
            if level is None:
                watch.destinations[key] = seen
            if where is not None:
                watch.addresses.add(where)
            try:
                log.append(self._record(via, host, port, transport, address, seen))
            except BaseException as error:
                if level is None:
                    del watch.destinations[key]
                if where is not None:
                    watch.addresses.discard(where)
                raise _refused(error, host, port, via) from None

    def _record(
        self,
        via: str,
        host: str,
        port: Optional[int],
        transport: str,
        address: Optional[str],
        seen: str,
    ) -> Dict[str, Any]:
        from certbot_privacy._internal.log import records

        module, plugin = _opener(sys._getframe())
        own: Optional[str] = None
        if transport == "unix":
            own = _OWN_PATHS.get(host)
        elif _is_loopback(address or host) and port in self._standalone_ports():
            own = "standalone"
        return records.connection_record(
            recipient=host,
            host=host,
            port=port,
            address=address,
            transport=transport,
            via=via,
            module=module,
            plugin=plugin,
            seen=seen,
            own=own,
            when=time.time(),
        )


def _refused(error: BaseException, host: str, port: Optional[int], via: str) -> BaseException:
    """The error that stops a connection (or lookup) whose record could not be written.

    A :class:`~certbot_privacy._internal.errors.DisclosureLogError` that is also certbot's
    ``errors.Error``, so that certbot prints it as it is wherever the connect was made.
    """
    from certbot import errors

    from certbot_privacy._internal.errors import DisclosureLogError
    from certbot_privacy._internal.rules.escape import printable

    class ConnectionNotRecorded(DisclosureLogError, errors.Error):
        """A connection that was not made because its record could not be written."""

    # The name may come from outside (a CA's URLs, a DNS API's answer): escaped for the
    # terminal certbot prints this on.
    where = printable(host if port is None else f"{host}:{port}")
    if via in _LOOKUPS:
        return ConnectionNotRecorded(
            f"{error} Nothing was sent: the lookup of {where} was not made."
        )
    return ConnectionNotRecorded(
        f"{error} Nothing was sent: the connection to {where} was not made."
    )


def _destination(
    sock: Any, address: Any
) -> Optional[Tuple[str, Optional[int], str, Optional[str]]]:
    """(host, port, transport, numeric address or None) of a connect/sendto, if outbound."""
    family = getattr(sock, "family", None)
    kind = getattr(sock, "type", 0)
    if family == socket.AF_UNIX:
        if isinstance(address, bytes):
            path = address.decode("utf-8", "replace")
        elif isinstance(address, str):
            path = address
        else:
            return None
        return (
            path.replace("\x00", "@", 1) if path.startswith("\x00") else path,
            None,
            "unix",
            None,
        )
    if family not in (socket.AF_INET, socket.AF_INET6):
        return None  # netlink and the like: the kernel, not a destination
    if not isinstance(address, tuple) or len(address) < 2:
        return None
    host = address[0]
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return None
    transport = (
        "udp"
        if kind & socket.SOCK_DGRAM == socket.SOCK_DGRAM and not (kind & socket.SOCK_STREAM)
        else "tcp"
    )
    numeric = host if _is_address(host) else None
    return (host, _port(address[1]), transport, numeric)


def _port(value: Any) -> Optional[int]:
    if isinstance(value, int):
        return value
    if isinstance(value, (str, bytes)):
        try:
            return int(value)
        except ValueError:
            try:
                return socket.getservbyname(value.decode() if isinstance(value, bytes) else value)
            except OSError:
                return None
    return None


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return host == "localhost"


def _opener(frame: Any) -> Tuple[str, Optional[str]]:
    """The module that opened the connection, and the certbot plugin on the stack (or None).

    The module is the first frame's outside the socket layer and this package; the plugin
    the distribution name of the innermost ``certbot_*`` package on the stack (``certbot_
    dns_cloudflare`` is ``certbot-dns-cloudflare``), ``None`` for certbot and acme.
    """
    module = ""
    plugin: Optional[str] = None
    while frame is not None:
        name = frame.f_globals.get("__name__", "") or ""
        top = name.partition(".")[0]
        if not module and top not in _PLUMBING:
            module = name
        if plugin is None and top.startswith("certbot_") and top != "certbot_privacy":
            plugin = top.replace("_", "-")
        if module and plugin is not None:
            break
        frame = frame.f_back
    return module or "?", plugin


#: The one hook of this process (``None`` until privacy mode first switches on).
HOOK: Optional[AuditHook] = None


def own(path: str, what: str) -> None:
    """Mark connections to the Unix socket *path* as the log's own (*what*: ``syslog``)."""
    _OWN_PATHS[path] = what


def install(current: Source) -> None:
    """Install the audit hook (once per process); it acts while ``current()`` is a log."""
    global HOOK
    if HOOK is None:
        HOOK = AuditHook(current)
        sys.addaudithook(_hook_function(HOOK))
    else:
        HOOK.current = current


def _hook_function(hook: AuditHook) -> Callable[[str, Tuple[Any, ...]], None]:
    """The function CPython calls with every audit event of the process from now on.

    A plain closure, not the bound method: it runs for every event (each import, each
    file opened), so the test that lets all but four of them go is all it does.
    """
    events = _EVENTS
    handle = hook.__call__

    def audit(event: str, args: Tuple[Any, ...]) -> None:
        if event in events:
            handle(event, args)

    return audit
