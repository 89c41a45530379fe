"""What a private run can see, and whether ``--privacy-strict`` lets it run (pure).

The log sees a request as a request when a request-level adapter sends it (requests,
and the stacks :mod:`certbot_privacy._internal.adapter` adds), every connection of the process
below that (the audit hook), and nothing of other processes (hooks) or of native code
that opens its own sockets. These rules take plain values: the options, the
authenticator's name, what native code the run loads; the adapter gathers them.
"""

from __future__ import annotations

import shlex
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

#: Hook options (certbot's ``dest`` names) and the hook kind of each.
HOOK_OPTIONS: Tuple[Tuple[str, str], ...] = (
    ("manual_auth_hook", "manual-auth"),
    ("manual_cleanup_hook", "manual-cleanup"),
    ("pre_hook", "pre"),
    ("post_hook", "post"),
    ("deploy_hook", "deploy"),
    ("renew_hook", "deploy"),
)

#: The names certbot gives the hooks it runs (``execute_command_status``'s ``cmd_name``).
HOOK_KINDS: Mapping[str, str] = {
    "manual-auth-hook": "manual-auth",
    "manual-cleanup-hook": "manual-cleanup",
    "pre-hook": "pre",
    "post-hook": "post",
    "deploy-hook": "deploy",
    "renew-hook": "deploy",
}

#: What certbot hands a hook in its environment that is recorded, and the personal-data
#: category of each value (``None``: recorded, not personal data; ``"redact"``: its
#: value is what the auth hook printed, which may hold anything: redacted).
HOOK_ENV: Mapping[str, Optional[str]] = {
    "CERTBOT_DOMAIN": "domain",
    "CERTBOT_IDENTIFIER": "domain",
    "CERTBOT_ALL_DOMAINS": "domain",
    "CERTBOT_ALL_IDENTIFIERS": "domain",
    "CERTBOT_VALIDATION": "dns_challenge",
    "CERTBOT_TOKEN": None,
    "CERTBOT_REMAINING_CHALLENGES": None,
    "CERTBOT_AUTH_OUTPUT": "redact",
    "RENEWED_DOMAINS": "domain",
    "FAILED_DOMAINS": "domain",
    "RENEWED_LINEAGE": None,
}

#: Authenticators and the libraries they send through (certbot's own, and the DNS
#: plugins checked: PyPI 5.x and Debian bookworm's). Unknown authenticators are unknown.
AUTHENTICATOR_STACKS: Mapping[str, Tuple[str, ...]] = {
    "standalone": (),
    "webroot": (),
    "manual": (),
    "null": (),
    "nginx": (),
    "apache": (),
    "dns-digitalocean": ("requests",),
    "dns-ovh": ("requests",),
    "dns-nsone": ("requests",),
    "dns-linode": ("requests",),
    "dns-dnsimple": ("requests",),
    "dns-dnsmadeeasy": ("requests",),
    "dns-gehirn": ("requests",),
    "dns-luadns": ("requests",),
    "dns-sakuracloud": ("requests",),
    "dns-cloudflare": ("requests", "httpx"),
    "dns-route53": ("urllib3",),
    "dns-google": ("http.client",),
    "dns-rfc2136": ("dns-update",),
}


#: Top-level packages of plugin distributions that ship no native code: certbot's own
#: plugins, and the plugins checked (PyPI 5.x and Debian bookworm's). Any other
#: ``certbot_*`` package loaded in the process has its distribution's files read.
PURE_PLUGIN_PACKAGES = frozenset(
    {
        "certbot_privacy",
        "certbot_nginx",
        "certbot_apache",
        "certbot_dns_cloudflare",
        "certbot_dns_digitalocean",
        "certbot_dns_dnsimple",
        "certbot_dns_dnsmadeeasy",
        "certbot_dns_gehirn",
        "certbot_dns_google",
        "certbot_dns_linode",
        "certbot_dns_luadns",
        "certbot_dns_nsone",
        "certbot_dns_ovh",
        "certbot_dns_rfc2136",
        "certbot_dns_route53",
        "certbot_dns_sakuracloud",
    }
)


def native_notice(item: Mapping[str, Any]) -> str:
    """The ``native_code`` notice's sentence for a native library *item* (see ``role``)."""
    plugin, library = item.get("plugin") or "a plugin", item.get("library")
    role = item.get("role")
    if role in ("authenticator", "installer"):
        return (
            f"{plugin}, this run's {role}, runs native code in certbot ({library}): what it "
            "sends cannot be seen by the disclosure log, not even its connections."
        )
    loaded = "is loaded" if item.get("loaded") else "is installed"
    return (
        f"{plugin} {loaded} in certbot with native code ({library}), though it is not this "
        "run's authenticator or installer: what that code sends cannot be seen by the "
        "disclosure log, not even its connections."
    )


def hook_command(command: str, path_lookup: Any = None) -> Tuple[str, List[str]]:
    """Split a hook's shell command into its executable and its other words.

    *path_lookup* (``shutil.which``) turns a bare program name into its path. A command
    the shell could parse but :mod:`shlex` cannot (an open quote) is one word.
    """
    try:
        words = shlex.split(command)
    except ValueError:
        words = [command]
    if not words:
        return "/bin/sh", []
    program = words[0]
    if path_lookup is not None and "/" not in program:
        program = path_lookup(program) or program
    return program, words[1:]


def hook_env(environ: Mapping[str, str]) -> Tuple[Dict[str, Any], Dict[str, List[str]]]:
    """What of *environ* certbot hands a hook is recorded, and its personal data.

    Returns the recorded variables (``CERTBOT_AUTH_OUTPUT`` as a redaction) and the values
    by category (``domain``: each name of a space or comma separated list).
    """
    recorded: Dict[str, Any] = {}
    personal: Dict[str, List[str]] = {}
    for name, category in HOOK_ENV.items():
        value = environ.get(name)
        if value is None:
            continue
        if category == "redact":
            recorded[name] = {"redacted": True, "bytes": len(value.encode("utf-8", "replace"))}
            continue
        recorded[name] = value
        if category is None or not value:
            continue
        values = value.replace(",", " ").split() if category == "domain" else [value]
        bucket = personal.setdefault(category, [])
        bucket.extend(v for v in values if v not in bucket)
    return recorded, personal


def unseen_hooks(options: Mapping[str, Any], path_lookup: Any = None) -> List[Dict[str, str]]:
    """The hooks the options configure: other processes, whose traffic the log cannot see."""
    unseen: List[Dict[str, str]] = []
    commands = set()
    for option, kind in HOOK_OPTIONS:
        command = options.get(option)
        if not isinstance(command, str) or not command.strip() or (kind, command) in commands:
            continue
        commands.add((kind, command))
        executable, _ = hook_command(command, path_lookup)
        unseen.append({"what": "hook", "kind": kind, "executable": executable})
    return unseen


def strict_refusal(
    authenticator: Optional[str],
    unseen: Sequence[Mapping[str, Any]],
    request_level: Iterable[str],
) -> Optional[str]:
    """Why ``--privacy-strict`` refuses this run (one sentence), or ``None`` if it may run.

    Refused: any hook (another process), native code in the process, and an
    authenticator whose libraries the log does not see at the request level (or whose
    libraries are not known).
    """
    for item in unseen:
        if item.get("what") == "hook":
            return (
                f"--privacy-strict: the {item.get('kind')} hook {item.get('executable')} runs "
                "as another process, whose own traffic the disclosure log cannot see; "
                "drop the hook or --privacy-strict. Nothing was sent"
            )
        if item.get("what") == "native" and item.get("role", "authenticator") in (
            "authenticator",
            "installer",
        ):
            return (
                f"--privacy-strict: {item.get('plugin') or 'a plugin'}, the "
                f"{item.get('role', 'authenticator')}, runs native code in "
                f"certbot ({item.get('library')}), whose traffic the disclosure log cannot "
                "see; use another authenticator or drop --privacy-strict. Nothing was sent"
            )
    name = authenticator or "standalone"
    stacks = AUTHENTICATOR_STACKS.get(name)
    if stacks is None:
        return (
            f"--privacy-strict: the authenticator {name} is not one whose requests the "
            "disclosure log is known to see as requests (only its connections would be "
            "recorded); use another authenticator or drop --privacy-strict. Nothing was sent"
        )
    missing = [stack for stack in stacks if stack not in set(request_level)]
    if missing:
        return (
            f"--privacy-strict: the authenticator {name} sends through "
            f"{', '.join(missing)}, whose requests this version records as connections "
            "only; use another authenticator or drop --privacy-strict. Nothing was sent"
        )
    return None
