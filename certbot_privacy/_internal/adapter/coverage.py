"""What a private run sees, said in the log: coverage records, hook records, native code.

When privacy mode switches on, :func:`plan` gathers what the run will use that the log
cannot see (hooks: other processes; native code of the authenticator's plugin) and
:func:`begin` writes a ``coverage`` record (``phase: "start"``) and a ``notice`` per
native library; as the process ends, a ``coverage`` record (``phase: "end"``) lists the
destinations reached and the level each was seen at (atexit: bounded by the log's lock
timeout, never raising into certbot's exit). Before certbot runs a hook, :func:`hook_runs`
writes a ``hook`` record. The rules (what is unseen, what ``--privacy-strict`` refuses)
are :mod:`certbot_privacy._internal.rules.coverage`'s.
"""

from __future__ import annotations

import argparse
import atexit
import logging
import os
import shutil
import sys
import time
from typing import Any, Dict, List, Mapping, Tuple

from certbot_privacy._internal.adapter.state import RUN
from certbot_privacy._internal.errors import UsageError
from certbot_privacy._internal.rules import coverage as rules

logger = logging.getLogger(__name__)


class Plan:
    """What one private run (or lineage) uses that the log cannot see, and if it is strict."""

    def __init__(self, unseen: List[Dict[str, Any]], strict: bool) -> None:
        self.unseen = unseen
        self.strict = strict


#: Log path -> the plan its coverage start record stated (one start per log per process).
_BEGUN: Dict[str, Plan] = {}
#: Log path -> the log (appender) to write the end record to.
_LOGS: Dict[str, Any] = {}
#: Log path -> hooks that ran, to add to the end record's ``unseen``.
_RAN: Dict[str, List[Dict[str, Any]]] = {}
_AT_EXIT: List[bool] = []


def request_level(armed: bool = False) -> List[str]:
    """The libraries whose requests this run records as requests: ``requests``, and the
    stacks whose wrappers are installed (*armed*: or wait for their library's import)."""
    stacks = sys.modules.get("certbot_privacy._internal.adapter.stacks")
    if stacks is None:
        return ["requests"]
    return list(stacks.request_level(armed))


def plan(namespace: argparse.Namespace, verb: str) -> Plan:
    """What the run configured by *namespace* will use unseen (hooks, native code)."""
    options = {option: getattr(namespace, option, None) for option, _ in rules.HOOK_OPTIONS}
    unseen = rules.unseen_hooks(options, shutil.which)
    if verb == "renew" and getattr(namespace, "directory_hooks", True):
        unseen.extend(_directory_hooks(getattr(namespace, "config_dir", "") or ""))
    unseen.extend(native_code(_plugin_roles(namespace)))
    return Plan(unseen, bool(getattr(namespace, "privacy_strict", False)))


def check_strict(namespace: argparse.Namespace, planned: Plan) -> None:
    """Raise :class:`UsageError` (exit 2, nothing sent) if ``--privacy-strict`` refuses."""
    if not planned.strict:
        return
    why = rules.strict_refusal(
        getattr(namespace, "authenticator", None), planned.unseen, request_level(armed=True)
    )
    if why is not None:
        raise UsageError(why)


def _directory_hooks(config_dir: str) -> List[Dict[str, Any]]:
    """The executables in ``renewal-hooks/{pre,post,deploy}``, which ``renew`` runs."""
    found: List[Dict[str, Any]] = []
    for kind in ("pre", "post", "deploy"):
        directory = os.path.join(config_dir, "renewal-hooks", kind)
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            continue
        for name in names:
            path = os.path.join(directory, name)
            if os.path.isfile(path) and os.access(path, os.X_OK):
                found.append({"what": "hook", "kind": kind, "executable": path})
    return found


def _plugin_roles(namespace: argparse.Namespace) -> Dict[str, str]:
    """The plugins (entry point names) the run is configured to use, and as what."""
    roles: Dict[str, str] = {}
    for option, role in (
        ("authenticator", "authenticator"),
        ("installer", "installer"),
        ("configurator", "authenticator"),
    ):
        name = getattr(namespace, option, None)
        if isinstance(name, str) and name:
            roles.setdefault(name, role)
    return roles


def native_code(roles: Mapping[str, str]) -> List[Dict[str, Any]]:
    """Native libraries that certbot plugin distributions in this process ship.

    Looked at: the distributions of the plugins *roles* names (the run's authenticator and
    installer) and of every ``certbot.plugins`` entry point whose module certbot imported
    (it imports them all at plugin discovery), each item naming its ``role``
    (``authenticator``, ``installer``, else ``loaded``) and whether the library is mapped
    into the process. Certbot's own plugins and the plugins known to be pure Python
    (:data:`~certbot_privacy._internal.rules.coverage.PURE_PLUGIN_PACKAGES`) ship none:
    when nothing else is loaded or named, no distribution metadata is read at all.
    """
    named = [name for name in roles if name not in rules.AUTHENTICATOR_STACKS]
    unknown = {  # a package is in sys.modules whenever one of its modules is
        name for name in list(sys.modules) if name.startswith("certbot_") and "." not in name
    } - rules.PURE_PLUGIN_PACKAGES
    if not named and not unknown:
        return []
    from importlib import metadata

    try:
        points = metadata.entry_points(group="certbot.plugins")
    except Exception:  # a broken installed distribution: certbot itself coped with it
        return []
    uses: Dict[str, Tuple[Any, List[str]]] = {}
    for point in points:
        role = roles.get(point.name)
        module = point.value.partition(":")[0].strip()
        if role is None and not (module.partition(".")[0] in unknown and module in sys.modules):
            continue
        dist = point.dist
        if dist is None:
            continue
        _, found_roles = uses.setdefault(str(dist.metadata["Name"]), (dist, []))
        found_roles.append(role or "loaded")
    if not uses:
        return []
    mapped = mapped_files()
    found: List[Dict[str, Any]] = []
    for plugin, (dist, found_roles) in sorted(uses.items()):
        role = next((r for r in ("authenticator", "installer") if r in found_roles), "loaded")
        for file in dist.files or ():
            if not (file.name.endswith(".so") or ".so." in file.name):
                continue
            path = os.path.realpath(str(file.locate()))
            found.append(
                {
                    "what": "native",
                    "library": file.name,
                    "plugin": plugin,
                    "role": role,
                    "path": path,
                    "loaded": path in mapped,
                }
            )
    return found


def mapped_files() -> set[str]:
    """The files mapped into this process (``/proc/self/maps``; empty where there is none)."""
    found: set[str] = set()
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            for line in maps:
                fields = line.split(None, 5)
                if len(fields) == 6 and fields[5].startswith("/"):
                    found.add(fields[5].rstrip("\n"))
    except OSError:
        pass
    return found


def begin(log: Any, planned: Plan) -> None:
    """Write the run's ``coverage`` start record to *log* (once per log in the process).

    Each native library gets a ``notice`` record as well. Raises
    :class:`~certbot_privacy._internal.errors.DisclosureLogError` (nothing was sent yet).
    """
    from certbot_privacy._internal.log import records

    if log.path in _BEGUN:
        return
    now = time.time()
    log.append(
        records.coverage_record(
            phase="start",
            run=RUN.run_id,
            request_level=request_level(),
            unseen=[_public(item) for item in planned.unseen],
            strict=planned.strict,
            when=now,
        )
    )
    for item in planned.unseen:
        if item["what"] == "native":
            log.append(
                records.notice_record(
                    kind="native_code",
                    recipient=str(item["plugin"]),
                    when=now,
                    library=item["library"],
                    plugin=item["plugin"],
                    role=item.get("role", "loaded"),
                    message=rules.native_notice(item),
                )
            )
    _BEGUN[log.path] = planned
    _LOGS[log.path] = log
    if not _AT_EXIT:
        atexit.register(end)
        _AT_EXIT.append(True)


def _public(item: Mapping[str, Any]) -> Dict[str, Any]:
    return {key: value for key, value in item.items() if key != "path"}


def hook_runs(cmd_name: str, shell_cmd: str, env: Mapping[str, str]) -> None:
    """Certbot is about to run a hook: write its ``hook`` record first (fail closed).

    Under ``--privacy-strict`` the hook is refused instead (a hook the run's options did
    not show, such as one saved in a renewal conf).
    """
    from certbot_privacy._internal.log import records
    from certbot_privacy._internal.rules import redaction

    recorder = RUN.recorder
    if recorder is None:
        return
    log = recorder.log
    kind = rules.HOOK_KINDS.get(cmd_name, "other")
    executable, words = rules.hook_command(shell_cmd, shutil.which)
    recorded_env, personal = rules.hook_env(env)
    known = {value for values in personal.values() for value in values}
    planned = _BEGUN.get(log.path)
    if planned is not None and planned.strict:
        raise UsageError(
            f"--privacy-strict: the {kind} hook {executable} would run as another "
            "process, whose own traffic the disclosure log cannot see; it was not run"
        )
    log.append(
        records.hook_record(
            kind=kind,
            executable=executable,
            args=redaction.redact_command_args(words, known.__contains__),
            env=recorded_env,
            personal_data=personal,
            when=time.time(),
            name=None if kind != "other" else cmd_name,
        )
    )
    ran = {"what": "hook", "kind": kind, "executable": executable}
    bucket = _RAN.setdefault(log.path, [])
    if ran not in bucket:
        bucket.append(ran)


def end() -> None:
    """Write each log's ``coverage`` end record (atexit; logs a warning on failure)."""
    from certbot_privacy._internal.adapter import audithook
    from certbot_privacy._internal.log import records

    now = time.time()
    for path, planned in list(_BEGUN.items()):
        watch = audithook.HOOK.watches.get(path) if audithook.HOOK is not None else None
        destinations = [
            {"host": host, "port": port, "transport": transport, "seen": seen}
            for (host, port, transport), seen in (watch.destinations.items() if watch else ())
        ]
        unseen = [_public(item) for item in planned.unseen]
        unseen.extend(item for item in _RAN.get(path, ()) if item not in unseen)
        try:
            _LOGS[path].append(
                records.coverage_record(
                    phase="end",
                    run=RUN.run_id,
                    request_level=request_level(),
                    unseen=unseen,
                    strict=planned.strict,
                    when=now,
                    destinations=destinations,
                )
            )
        except Exception as error:  # certbot is exiting: say so, never raise
            logger.warning("Could not write the coverage record to %s: %s", path, error)
    _BEGUN.clear()


def reset() -> None:
    """Forget what this process began (tests)."""
    _BEGUN.clear()
    _LOGS.clear()
    _RAN.clear()
