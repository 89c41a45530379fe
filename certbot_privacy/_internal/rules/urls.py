"""URL forms the rules compare by (pure): ``Host`` header, origin, directory URL."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

_DEFAULT_PORTS = {"https": 443, "http": 80}


def host_header(url: str) -> str:
    """Return the ``Host`` header that urllib3 sends for *url* (it adds it implicitly).

    Like ``http.client``: the host lower-cased, IPv6 in brackets, the port left out when
    it is the scheme's default. Raises ``ValueError`` for a port that is not a number.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    if port is None or _DEFAULT_PORTS.get(parts.scheme.lower()) == port:
        return host
    return f"{host}:{port}"


def origin(url: str) -> str:
    """Return ``scheme://host[:port]`` of *url*: lower-cased, no user info, no default port."""
    return f"{urlsplit(url).scheme.lower()}://{host_header(url)}"


def normalize_directory_url(url: str) -> str:
    """Return *url* in the form ACME directory URLs are compared in.

    :func:`origin`, then the path without a trailing slash (paths are case-sensitive),
    the query, and no fragment. A URL that cannot be parsed is returned stripped of
    surrounding blanks, so it simply matches nothing.
    """
    stripped = url.strip()
    try:
        parts = urlsplit(stripped)
        base = origin(stripped)
    except ValueError:
        return stripped
    return urlunsplit(
        (parts.scheme.lower(), base.split("://", 1)[1], parts.path.rstrip("/"), parts.query, "")
    )
