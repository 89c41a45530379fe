"""Read a cli.ini exactly as certbot does: with configargparse, certbot's own config parser.

Certbot (2.1.0 and 5.8.0) builds its command line with ``configargparse.ArgParser`` and
the default config file parser; a key of a cli.ini is an option's long name without its
dashes (``privacy-minimal``), a flag's value goes through configargparse's own
conversion (which values mean on differs between versions: 1.9 takes ``on``, Debian
12's 1.5.3 stops certbot with "Unexpected value"), quotes and a trailing ``# comment``
are configargparse's to strip, and a key no option has (``privacy_minimal``, with an
underscore) makes certbot stop with "unrecognized arguments". So this module asks the
configargparse installed beside certbot (a certbot dependency; nothing of certbot is
imported) rather than guessing.
"""

import argparse
import io
from dataclasses import dataclass
from typing import Any, Dict, List, NoReturn, Optional

#: This plugin's flags as certbot knows them (``--privacy-minimal`` and so on).
PLUGIN_FLAGS = (
    "privacy-minimal",
    "privacy-strict",
    "privacy-syslog",
    "privacy-share-email",
    "privacy-withdraw-email",
)
#: The cli.ini line that makes every certbot run private.
EVERY_RUN_LINE = "privacy-minimal = true"


@dataclass(frozen=True)
class Reading:
    """What certbot takes from one cli.ini."""

    #: ``--privacy-minimal`` is given by this file.
    privacy_minimal: bool = False
    #: ``--config-dir`` as this file sets it, or ``None``.
    config_dir: Optional[str] = None
    #: Why certbot stops on this file (every run fails), or "".
    refused: str = ""


class _Refused(Exception):
    pass


def read(text: str) -> Reading:
    """Read a cli.ini's *text* as certbot's configargparse does."""
    import configargparse

    class Parser(configargparse.ArgParser):  # type: ignore[misc]
        def error(self, message: Any) -> NoReturn:
            raise _Refused(str(message))

    parser = Parser(add_help=False, default_config_files=[])
    minimal = parser.add_argument("--privacy-minimal", action="store_true")
    config_dir = parser.add_argument("--config-dir")
    actions: Dict[str, argparse.Action] = {}
    for action in (minimal, config_dir):
        for key in parser.get_possible_config_keys(action):
            actions[key] = action
    try:
        items = configargparse.DefaultConfigFileParser().parse(io.StringIO(text))
    except configargparse.ConfigFileParserException as error:
        return Reading(refused=str(error).splitlines()[0])
    on, directory = False, None
    unknown: List[str] = []
    try:
        for key, value in items.items():
            action = actions.get(key)
            if action is None:
                if _looks_like_ours(key):
                    unknown.append(key)
                continue
            args = parser.convert_item_to_command_line_arg(action, key, value)
            if action is minimal:
                on = bool(args)
            elif args:
                directory = args[-1].partition("=")[2] if "=" in args[-1] else str(value)
    except _Refused as error:
        return Reading(refused=f"certbot stops: {error}")
    if unknown:
        return Reading(
            refused=f"certbot stops: {unknown[0]} is not an option (unrecognized arguments); "
            f"it is spelled {unknown[0].replace('_', '-')}"
        )
    return Reading(privacy_minimal=on, config_dir=directory)


def _looks_like_ours(key: str) -> bool:
    """A key meant for this plugin but spelled in a way certbot does not take."""
    spelled = key.replace("_", "-").lower()
    return spelled in PLUGIN_FLAGS and key not in PLUGIN_FLAGS
