"""Read certbot's configuration directory into plain facts: accounts, lineages, cli.ini.

Offline and without certbot: JSON for accounts, configobj (a certbot dependency) for
renewal confs, a few lines for cli.ini. The layouts, as certbot 2.1.0 and 5.8.0 write
them (``tests/unit/data/confdir/`` has copies made by real runs):

* ``accounts/<netloc><path of the directory URL>/<account id>/``: ``regr.json``
  (``{"body": {...}, "uri": ...}``; certbot since 1.x writes an empty body, older ones
  kept the registration with its ``contact``), ``meta.json`` (``creation_dt``,
  ``creation_host`` and, while an EFF subscription is pending, ``register_to_eff``: the
  address certbot will send to the EFF after the next certificate), ``private_key.json``
  (never read here), and our ``certbot-privacy.json`` (:mod:`.marks`);
* ``renewal/<name>.conf``: top-level ``version``, ``cert``, ``archive_dir`` ... and a
  ``[renewalparams]`` section with ``server``, ``account``, ``authenticator``, the plugins'
  options (``privacy_minimal``, ``privacy_log``, ...), all as strings;
* ``cli.ini``: certbot reads ``/etc/letsencrypt/cli.ini`` and
  ``$XDG_CONFIG_HOME/letsencrypt/cli.ini`` on every run, whatever ``--config-dir`` says.

Strings come back as found in the files: escape them before showing them.
"""

import json
import os
import stat
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple
from urllib.parse import urlsplit

from certbot_privacy._internal.confdir import ACCOUNT_MARK, LINEAGE_OPTION
from certbot_privacy._internal.errors import InputError

#: The largest file read here (certbot's are a few hundred bytes).
MAX_FILE = 1 << 20
#: The most directories the walk of ``accounts/`` visits.
MAX_DIRECTORIES = 10_000


@dataclass(frozen=True)
class AccountMark:
    """Our record, beside certbot's account files, that an account is (or was) private."""

    private: bool
    #: When it was switched (RFC 3339, UTC), or "".
    since: str = ""
    #: The disclosure log its commands write to, when not the default.
    log: Optional[str] = None
    #: When its contact was withdrawn at the CA in privacy mode (RFC 3339), or "".
    contact_withdrawn: str = ""


@dataclass(frozen=True)
class Account:
    """One ACME account as certbot stores it."""

    id: str
    #: The CA's directory URL (``--server``), rebuilt from the directory's path.
    server: str
    path: str
    #: ``meta.json``'s ``creation_dt`` and ``creation_host`` ("" if missing).
    created: str = ""
    creation_host: str = ""
    #: The account URL at the CA (``regr.json``'s ``uri``).
    uri: str = ""
    #: Contacts kept in ``regr.json``'s body (certbots before 1.x kept them; now empty).
    contacts: Tuple[str, ...] = ()
    #: Whether ``regr.json`` keeps a registration body at all.
    body_stored: bool = False
    #: The address certbot will send to the EFF after the next certificate, if any.
    register_to_eff: Optional[str] = None
    mark: Optional[AccountMark] = None


@dataclass(frozen=True)
class Lineage:
    """One lineage (certificate name) and what its renewal conf says."""

    name: str
    path: str
    #: The certbot version that last wrote the conf.
    version: str = ""
    server: str = ""
    account: str = ""
    authenticator: str = ""
    installer: str = ""
    #: A ``--user-agent`` saved for renewals, if any.
    user_agent: Optional[str] = None
    logs_dir: str = ""
    cert: str = ""
    archive_dir: str = ""
    #: ``privacy_minimal = True``, read as ``renew`` reads it (:func:`.privacy.renewal_flag`).
    privacy_minimal: bool = False
    #: ``privacy_minimal = False`` written on purpose (switched off), not just absent.
    switched_off: bool = False
    privacy_log: Optional[str] = None
    privacy_syslog: bool = False


@dataclass(frozen=True)
class CliIni:
    """A cli.ini that certbot reads on every run."""

    path: str
    privacy_minimal: bool
    #: ``config-dir`` as it sets it (certbot's default for ``--config-dir``), or ``None``.
    config_dir: Optional[str] = None
    #: Why certbot stops on this file (every run fails), or "".
    refused: str = ""


@dataclass(frozen=True)
class ConfigDir:
    """Everything read from one configuration directory."""

    path: str
    accounts: Tuple[Account, ...] = ()
    lineages: Tuple[Lineage, ...] = ()
    cli_inis: Tuple[CliIni, ...] = ()
    #: Files that could not be read, each as one sentence.
    problems: Tuple[str, ...] = ()

    def account(self, server: str, account_id: str) -> Optional[Account]:
        """The account *account_id* of *server*, if it is stored here."""
        wanted = server_path(server)
        for account in self.accounts:
            if account.id == account_id and server_path(account.server) == wanted:
                return account
        return None

    @property
    def everything_private(self) -> bool:
        """Whether a cli.ini turns privacy mode on for every run."""
        return any(ini.privacy_minimal for ini in self.cli_inis)


# --- paths ------------------------------------------------------------------------------------


def server_path(server: str) -> str:
    """The part of a directory URL certbot uses as a path (``host:port/dir``), as certbot 2.1+."""
    parts = urlsplit(server)
    return (parts.netloc + parts.path).strip("/")


def accounts_root(config_dir: str) -> str:
    return os.path.join(config_dir, "accounts")


def account_dir(config_dir: str, server: str, account_id: str) -> str:
    """The directory of account *account_id* of *server*."""
    return os.path.join(accounts_root(config_dir), *server_path(server).split("/"), account_id)


def account_ids(config_dir: str, server: str) -> List[str]:
    """The ids of the accounts certbot has for *server* (what it would choose from)."""
    base = os.path.join(accounts_root(config_dir), *server_path(server).split("/"))
    try:
        names = sorted(os.listdir(base))
    except OSError:
        return []
    return [n for n in names if os.path.isfile(os.path.join(base, n, "regr.json"))]


def renewal_conf(config_dir: str, name: str) -> str:
    """The renewal conf of lineage *name*."""
    return os.path.join(config_dir, "renewal", name + ".conf")


def lineage_names(config_dir: str) -> List[str]:
    """The names of the lineages in *config_dir* (its ``renewal/*.conf``), sorted."""
    names = _listdir(os.path.join(config_dir, "renewal"))
    return sorted(n[: -len(".conf")] for n in names if n.endswith(".conf"))


def default_cli_inis(environ: Mapping[str, str]) -> List[str]:
    """The cli.ini files certbot reads on every run, for a user with this environment."""
    home = environ.get("HOME") or os.path.expanduser("~")
    xdg = environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
    return ["/etc/letsencrypt/cli.ini", os.path.join(xdg, "letsencrypt", "cli.ini")]


# --- reading ----------------------------------------------------------------------------------


def read(
    config_dir: str,
    *,
    cli_inis: Optional[Sequence[str]] = None,
    environ: Optional[Mapping[str, str]] = None,
) -> ConfigDir:
    """Read *config_dir*; files that cannot be read are listed in ``problems``.

    *cli_inis*: the cli.ini files to read (default: those certbot reads, for *environ*).
    Raises :class:`InputError` if *config_dir* is not a directory.
    """
    if not os.path.isdir(config_dir):
        raise InputError(
            f"{config_dir} is not a directory: give certbot's configuration directory "
            "with --config-dir (default /etc/letsencrypt)"
        )
    problems: List[str] = []
    accounts = list(_accounts(config_dir, problems))
    lineages: List[Lineage] = []
    renewal = os.path.join(config_dir, "renewal")
    try:
        names = sorted(n[: -len(".conf")] for n in os.listdir(renewal) if n.endswith(".conf"))
    except FileNotFoundError:
        names = []
    except OSError as error:
        problems.append(f"{renewal} cannot be read: {_why(error)}")
        names = []
    for name in names:
        try:
            lineages.append(read_lineage(renewal_conf(config_dir, name)))
        except InputError as error:
            problems.append(str(error))
    paths = default_cli_inis(os.environ if environ is None else environ)
    inis = read_cli_inis(paths if cli_inis is None else cli_inis, problems)
    return ConfigDir(config_dir, tuple(accounts), tuple(lineages), tuple(inis), tuple(problems))


def read_cli_inis(paths: Iterable[str], problems: List[str]) -> List[CliIni]:
    """Read the cli.ini files among *paths* that exist (as certbot reads them)."""
    from certbot_privacy._internal.confdir import cliini

    inis: List[CliIni] = []
    for path in paths:
        try:
            text = _read_text(path)
        except FileNotFoundError:
            continue
        except (OSError, InputError) as error:
            problems.append(f"{path} cannot be read: {_why(error)}")
            continue
        reading = cliini.read(text)
        inis.append(CliIni(path, reading.privacy_minimal, reading.config_dir, reading.refused))
    return inis


def read_lineage(path: str) -> Lineage:
    """Read one renewal conf; :class:`InputError` if it cannot be read or parsed."""
    import configobj

    try:
        text = _read_text(path)
        conf = configobj.ConfigObj(text.splitlines(), encoding="utf-8", interpolation=False)
    except (OSError, configobj.ConfigObjError) as error:
        raise InputError(f"{path} cannot be read as a renewal conf: {_why(error)}") from None
    params = conf.get("renewalparams")
    if not isinstance(params, Mapping):
        raise InputError(f"{path} has no [renewalparams] section: it is not a renewal conf")
    from certbot_privacy._internal.confdir.privacy import renewal_flag

    flag = renewal_flag(params.get(LINEAGE_OPTION))
    return Lineage(
        name=os.path.basename(path)[: -len(".conf")],
        path=path,
        version=_text(conf.get("version")),
        server=_text(params.get("server")),
        account=_text(params.get("account")),
        authenticator=_text(params.get("authenticator")),
        installer=_text(params.get("installer")),
        user_agent=_optional(params.get("user_agent")),
        logs_dir=_text(params.get("logs_dir")),
        cert=_text(conf.get("cert")),
        archive_dir=_text(conf.get("archive_dir")),
        privacy_minimal=flag is True,
        switched_off=flag is False,
        privacy_log=_optional(params.get("privacy_log")),
        privacy_syslog=renewal_flag(params.get("privacy_syslog")) is True,
    )


def read_account_mark(directory: str) -> Optional[AccountMark]:
    """Our mark in an account's directory; ``None`` if there is none.

    :class:`InputError` if it exists and is not what this package writes.
    """
    path = os.path.join(directory, ACCOUNT_MARK)
    try:
        value = json.loads(_read_text(path))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise InputError(f"{path} cannot be read: {_why(error)}") from None
    if not isinstance(value, dict) or not isinstance(value.get("privacy_minimal"), bool):
        raise InputError(f"{path} is not a certbot-privacy account mark")
    log = value.get("privacy_log")
    return AccountMark(
        private=value["privacy_minimal"],
        since=str(value.get("since", "")),
        log=log if isinstance(log, str) and log else None,
        contact_withdrawn=str(value.get("contact_withdrawn", "")),
    )


def read_account(directory: str, server: str) -> Account:
    """Read the account in *directory*; :class:`InputError` if its files cannot be read."""
    regr = _json_object(os.path.join(directory, "regr.json"))
    try:
        meta = _json_object(os.path.join(directory, "meta.json"))
    except InputError:
        meta = {}
    body = regr.get("body")
    body = body if isinstance(body, dict) else {}
    contacts = body.get("contact")
    eff = meta.get("register_to_eff")
    return Account(
        id=os.path.basename(directory),
        server=server,
        path=directory,
        created=str(meta.get("creation_dt", "")),
        creation_host=str(meta.get("creation_host", "")),
        uri=str(regr.get("uri", "")),
        contacts=tuple(str(c) for c in contacts) if isinstance(contacts, list) else (),
        body_stored=bool(body),
        register_to_eff=str(eff) if eff else None,
        mark=read_account_mark(directory),
    )


def cli_ini_private(text: str) -> bool:
    """Whether a cli.ini turns privacy mode on, as certbot's configargparse reads it."""
    from certbot_privacy._internal.confdir import cliini

    return cliini.read(text).privacy_minimal


def lineage_for_cert_path(lineages: Iterable[Lineage], cert_path: str) -> Optional[Lineage]:
    """The lineage whose certificate *cert_path* is (live link or archived version)."""
    wanted = os.path.realpath(cert_path)
    for lineage in lineages:
        live = os.path.dirname(lineage.cert) if lineage.cert else ""
        candidates = [os.path.join(live, n) for n in ("cert.pem", "fullchain.pem")] if live else []
        if lineage.archive_dir:
            candidates += [
                os.path.join(lineage.archive_dir, n) for n in _listdir(lineage.archive_dir)
            ]
        if any(os.path.realpath(c) == wanted for c in candidates):
            return lineage
    return None


# --- helpers ----------------------------------------------------------------------------------


def _accounts(config_dir: str, problems: List[str]) -> Iterable[Account]:
    root = accounts_root(config_dir)
    real_config = os.path.realpath(config_dir).rstrip("/") + "/"
    seen: Dict[str, bool] = {}

    def unreadable(error: OSError) -> None:
        if not isinstance(error, FileNotFoundError) or error.filename != root:
            problems.append(f"{error.filename} cannot be read: {_why(error)}")

    for directory, subdirs, files in os.walk(root, onerror=unreadable, followlinks=True):
        subdirs.sort()
        real = os.path.realpath(directory)
        # Each directory once, by its real path (certbot links a reused server's accounts,
        # acme-v01 -> v02; a link loop ends here), never out of the config dir, bounded.
        if real in seen or not real.startswith(real_config) or len(seen) > MAX_DIRECTORIES:
            subdirs[:] = []
            continue
        seen[real] = True
        if "regr.json" not in files:
            continue
        subdirs[:] = []  # an account directory has no accounts inside
        relative = os.path.relpath(os.path.dirname(directory), root).replace(os.sep, "/")
        try:
            yield read_account(directory, "https://" + relative)
        except InputError as error:
            problems.append(str(error))


def _listdir(path: str) -> List[str]:
    try:
        return os.listdir(path)
    except OSError:
        return []


def _read_text(path: str) -> str:
    # Non-blocking, and a regular file only: a FIFO in its place must not hang the reader.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    with open(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise InputError(f"{path} is not a regular file")
        data = handle.read(MAX_FILE + 1)
    if len(data) > MAX_FILE:
        raise InputError(f"{path} is larger than {MAX_FILE} bytes: not a certbot file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text") from None


def _json_object(path: str) -> Dict[str, Any]:
    try:
        value = json.loads(_read_text(path))
    except (OSError, ValueError) as error:
        raise InputError(f"{path} cannot be read: {_why(error)}") from None
    if not isinstance(value, dict):
        raise InputError(f"{path} is not a JSON object")
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


def _optional(value: Any) -> Optional[str]:
    text = _text(value)
    return None if text in ("", "None") else text


def _why(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error).splitlines()[0] if str(error) else type(error).__name__


__all__ = [
    "Account",
    "AccountMark",
    "CliIni",
    "ConfigDir",
    "Lineage",
    "account_dir",
    "account_ids",
    "cli_ini_private",
    "default_cli_inis",
    "lineage_for_cert_path",
    "lineage_names",
    "read",
    "read_account",
    "read_account_mark",
    "read_lineage",
    "renewal_conf",
    "server_path",
]
