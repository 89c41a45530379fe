"""The certbot and acme names that ``_internal/adapter/certbot_internals.py`` uses, checked
where they live.

Each :class:`Pin` is one name certbot_internals wraps or calls, with the parameters
certbot_internals relies on. :func:`check` looks every pin up in the certbot that imports this
module and returns one sentence per name that moved or changed, each naming the module to fix.

It imports only the standard library, certbot and acme, so that it runs under any
certbot's own Python: ``tests/unit/test_certbot_internals.py`` calls :func:`check` in-process
(certbot 5.x) and runs ``python -m tests.helpers.certbot_names`` from the repository root
under each certbot target's interpreter (Debian's 2.1.0 too). As a program it prints the
problems and exits 1, or prints one line and exits 0.
"""

import importlib
import inspect
import sys
from dataclasses import dataclass
from typing import Any, List, Optional, Tuple

#: The module to fix when a pin fails.
COMPAT = "certbot_privacy/_internal/adapter/certbot_internals.py"

#: Certbot 2.7 replaced ``cli.set_by_cli`` by ``NamespaceConfig.set_by_user`` and dropped
#: the re-parse with ``detect_defaults``.
SET_BY_USER_SINCE = (2, 7)

#: Certbot 3.0 moved ``RevocationChecker`` to ``certbot._internal.ocsp`` (``certbot.ocsp``
#: re-exports it, deprecated).
OCSP_INTERNAL_SINCE = (3, 0)

Params = Tuple[str, ...]


@dataclass(frozen=True)
class Pin:
    """``module.name`` (``name`` may be ``Class.method``), with the parameters it is used with.

    *signatures*: the parameter lists accepted (one per certbot generation that has a
    different one). *used_by*: the function of certbot_internals that depends on it.
    """

    module: str
    name: str
    signatures: Tuple[Params, ...]
    used_by: str

    @property
    def qualified(self) -> str:
        """The full dotted name."""
        return f"{self.module}.{self.name}"


def certbot_version() -> Tuple[int, int]:
    """The (major, minor) version of the certbot importable here."""
    import certbot

    major, minor = certbot.__version__.split(".")[:2]
    return int(major), int(minor)


def pins(version: Tuple[int, int]) -> List[Pin]:
    """Every name certbot_internals uses, as certbot *version* should have it."""
    helpful = "certbot._internal.cli.helpful"
    found = [
        Pin(helpful, "HelpfulArgumentParser.parse_args", (("self",),), "install_parse_hook"),
        Pin(
            "certbot._internal.renewal",
            "_restore_plugin_configs",
            (("config", "renewalparams"),),
            "install_lineage_hook",
        ),
        Pin(
            "acme.client",
            "ClientV2._get_v2_account",
            (("self", "regr", "update_body"),),
            "install_email_hooks",
        ),
        Pin(
            "acme.client",
            "ClientV2.new_account",
            (("self", "new_account"),),
            "install_email_hooks",
        ),
        Pin(
            "acme.client",
            "ClientV2.update_registration",
            (("self", "regr", "update"),),
            "install_email_hooks",
        ),
        Pin(
            "certbot.display.ops",
            "get_email",
            # 2.1.0: (invalid=False, optional=True); 5.x: (invalid=False, **kwargs).
            (("invalid", "optional"), ("invalid", "kwargs")),
            "install_email_hooks",
        ),
        Pin(
            "certbot.plugins.dns_common",
            "DNSAuthenticator.perform",
            (("self", "achalls"),),
            "install_dns_hook",
        ),
        Pin(
            "acme.challenges",
            "DNS01.validation_domain_name",
            (("self", "name"),),
            "install_dns_hook",
        ),
        Pin(
            "acme.challenges",
            "DNS01.validation",
            (("self", "account_key", "unused_kwargs"),),
            "install_dns_hook",
        ),
    ]
    ocsp = "certbot.ocsp" if version < OCSP_INTERNAL_SINCE else "certbot._internal.ocsp"
    account = "certbot._internal.account"
    found += [
        Pin(
            ocsp,
            "RevocationChecker.ocsp_revoked",
            (("self", "cert"),),
            "install_revocation_check_hook",
        ),
        Pin(
            account,
            "AccountFileStorage.save",
            (("self", "account", "client"),),
            "install_account_hooks",
        ),
        Pin(
            account,
            "AccountFileStorage.update_regr",
            # 2.x: (self, account, client); 3.0 and later: (self, account).
            (("self", "account", "client"), ("self", "account")),
            "install_account_hooks",
        ),
        Pin(account, "AccountFileStorage.update_meta", (("self", "account"),), "StoredAccount"),
        Pin(
            "certbot._internal.storage",
            "relevant_values",
            # 2.x: (all_values) a mapping; since 2.7: (config); both return a dict.
            (("all_values",), ("config",)),
            "install_renewal_conf_filter",
        ),
        Pin(
            "certbot._internal.client",
            "perform_registration",
            (("acme", "config", "tos_cb"),),
            "install_email_hooks",
        ),
        Pin(
            "certbot._internal.eff",
            "prepare_subscription",
            (("config", "acc"),),
            "install_email_hooks",
        ),
        Pin("certbot._internal.eff", "subscribe", (("email",),), "install_email_hooks"),
        Pin(
            "certbot.compat.misc",
            "execute_command_status",
            (("cmd_name", "shell_cmd", "env"),),
            "install_hook_runner",
        ),
    ]
    if version < SET_BY_USER_SINCE:
        found += [
            Pin("certbot._internal.cli", "set_by_cli", (("var",),), "set_by_user"),
            Pin(
                helpful,
                "HelpfulArgumentParser.__init__",
                (("self", "args", "plugins", "detect_defaults"),),
                "install_parse_hook",
            ),
        ]
    else:
        found += [
            Pin(
                "certbot.configuration",
                "NamespaceConfig.set_by_user",
                (("self", "var"),),
                "set_by_user",
            ),
            Pin(
                helpful,
                "HelpfulArgumentParser.__init__",
                (("self", "args", "plugins"),),
                "install_parse_hook",
            ),
        ]
    return found


def check_pin(pin: Pin) -> Optional[str]:
    """One sentence if *pin* is not where certbot_internals expects it, else ``None``."""
    fix = f"fix {COMPAT} ({pin.used_by}), which relies on it"
    try:
        target: Any = importlib.import_module(pin.module)
    except ImportError as error:
        return f"{pin.qualified}: module {pin.module} cannot be imported ({error}); {fix}"
    for part in pin.name.split("."):
        owner, target = target, getattr(target, part, None)
        if target is None:
            return f"{pin.qualified} is gone ({part} not found in {owner!r}); {fix}"
    try:
        params = tuple(inspect.signature(target).parameters)
    except (TypeError, ValueError) as error:
        return f"{pin.qualified} has no signature any more ({error}); {fix}"
    if params not in pin.signatures:
        expected = " or ".join(f"({', '.join(s)})" for s in pin.signatures)
        return (
            f"{pin.qualified}({', '.join(params)}) changed: "
            f"certbot_internals expects {expected}; {fix}"
        )
    return None


def check_parser(version: Tuple[int, int]) -> List[str]:
    """What the parse hook reads on certbot's parser: ``verb``, ``args``, ``detect_defaults``."""
    from certbot._internal.cli import helpful

    fix = f"fix {COMPAT} (install_parse_hook), which reads it"
    problems = []
    parser_class: Any = helpful.HelpfulArgumentParser  # its signature differs by version
    parser = parser_class(["certonly"], [])
    if getattr(parser, "verb", None) != "certonly":
        problems.append(f"HelpfulArgumentParser has no .verb naming the verb; {fix}")
    if getattr(parser_class(["certonly", "-n"], []), "args", None) != ["-n"]:
        problems.append(f"HelpfulArgumentParser has no .args, the typed command line; {fix}")
    annotation = inspect.signature(helpful.HelpfulArgumentParser.parse_args).return_annotation
    returned = str(getattr(annotation, "__name__", annotation)).rsplit(".", 1)[-1]
    if returned not in ("Namespace", "NamespaceConfig"):
        problems.append(
            f"HelpfulArgumentParser.parse_args returns {returned}, not an argparse.Namespace "
            f"or a NamespaceConfig; fix {COMPAT} (namespace_of)"
        )
    if version < SET_BY_USER_SINCE:
        detecting = parser_class(["certonly"], [], detect_defaults=True)
        if getattr(detecting, "detect_defaults", None) is not True:
            problems.append(f"HelpfulArgumentParser has no .detect_defaults; {fix}")
    return problems


def check_attributes() -> List[str]:
    """The attributes it reads on certbot's objects (not callables: no :class:`Pin`).

    ``RenewableCert.configuration`` and ``.cli_config`` (the OCSP hook), ``Account.Meta``'s
    ``register_to_eff`` and ``NamespaceConfig.accounts_dir`` (``StoredAccount``).
    """
    from certbot import configuration
    from certbot._internal import account, storage

    problems = []
    init = inspect.getsource(storage.RenewableCert.__init__)
    for attribute in ("self.cli_config = cli_config", "self.configuration = "):
        if attribute not in init:
            problems.append(
                f"RenewableCert.__init__ no longer sets {attribute.split(' =')[0]}; fix "
                f"{COMPAT} (install_revocation_check_hook)"
            )
    if "register_to_eff" not in getattr(account.Account.Meta, "_fields", {}):
        problems.append(f"Account.Meta has no register_to_eff field; fix {COMPAT} (StoredAccount)")
    if not isinstance(getattr(configuration.NamespaceConfig, "accounts_dir", None), property):
        problems.append(f"NamespaceConfig.accounts_dir is gone; fix {COMPAT} (StoredAccount)")
    return problems


def check() -> List[str]:
    """Every problem with the names certbot_internals uses, in the certbot importable here."""
    version = certbot_version()
    problems = [p for p in map(check_pin, pins(version)) if p is not None]
    return problems + check_parser(version) + check_attributes()


def main() -> int:
    """Print the problems (exit 1), or one line saying all is well (exit 0)."""
    import certbot

    problems = check()
    for problem in problems:
        print(f"certbot {certbot.__version__}: {problem}")
    if problems:
        return 1
    print(f"certbot {certbot.__version__}: every name {COMPAT} uses is where it expects it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
