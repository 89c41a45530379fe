"""The minimal User-Agent: the ACME software and the HTTP client, nothing else.

RFC 8555 section 6.1 asks ACME clients to send a User-Agent naming the client software;
it asks for nothing about the host. Certbot's default adds the operating system, the
plugins, the verb, some flags and the Python version. This module holds the policy that
replaces it, as pure functions over plain strings.
"""

from __future__ import annotations

from typing import Optional

from certbot_privacy._internal.errors import UserAgentError

#: The product token RFC 8555 asks for, as certbot itself names its ACME client.
CLIENT_PRODUCT = "CertbotACMEClient"


def minimal_user_agent(certbot_version: str, requests_version: str) -> str:
    """Return ``CertbotACMEClient/<certbot> python-requests/<requests>``.

    Both versions are required: an empty one would make the header lie about the software.
    """
    for name, version in (("certbot", certbot_version), ("requests", requests_version)):
        if not version or any(c.isspace() or c in "/;()" for c in version):
            raise ValueError(f"not a usable {name} version: {version!r}")
    return f"{CLIENT_PRODUCT}/{certbot_version} python-requests/{requests_version}"


#: Request headers (lower case) that describe this host rather than the client software:
#: the cloudflare library (certbot-dns-cloudflare 4.x and later, on httpx) sends the
#: operating system, the architecture and the Python runtime and version in these. The
#: provider's API needs none of them; privacy mode promises that no request says more
#: about the host than the minimal User-Agent does, so they are not sent.
HOST_DETAIL_HEADERS = frozenset(
    (
        "x-stainless-os",
        "x-stainless-arch",
        "x-stainless-runtime",
        "x-stainless-runtime-version",
    )
)


def describes_host(header_name: str) -> bool:
    """Whether a request header named *header_name* tells the recipient about this host."""
    return header_name.lower() in HOST_DETAIL_HEADERS


def choose_user_agent(
    user_supplied: Optional[str], certbot_version: str, requests_version: str
) -> str:
    """Return the User-Agent that privacy mode sends on every request.

    A User-Agent the admin chose with ``--user-agent`` wins: it is theirs to decide what
    it says. Otherwise the minimal one. The header is never empty (RFC 8555 6.1 requires
    one), so an empty or blank user value is refused rather than sent.
    """
    if user_supplied is None:
        return minimal_user_agent(certbot_version, requests_version)
    if not user_supplied.strip():
        raise UserAgentError(
            "--user-agent is empty, and ACME requires a User-Agent (RFC 8555 section 6.1): "
            "give a value or drop the option to send the minimal one"
        )
    if any(c in user_supplied for c in "\r\n\0"):
        raise UserAgentError(
            "--user-agent contains a line break, which cannot be sent in an HTTP header: "
            "give it on one line"
        )
    return user_supplied
