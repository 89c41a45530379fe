"""The run state: what this certbot process knows about privacy mode, in one object.

Certbot imports the plugin on every run, so this module is tiny and imports nothing of
its own at import time. :data:`RUN` is the only run state and its only writer: privacy
mode is put in force with :meth:`RunState.activate`, lifted with
:meth:`RunState.deactivate`, and put in force for a block only with
:meth:`RunState.scoped`; everybody else reads it.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Callable, Iterator, Optional, Union

if TYPE_CHECKING:
    from certbot_privacy._internal.adapter.email_gate import EmailGate
    from certbot_privacy._internal.adapter.recorder import DisclosureRecorder
    from certbot_privacy._internal.adapter.wire import WirePolicy

    #: A gate, or what makes it the first time it is asked for (most runs never are).
    Gate = Union[EmailGate, Callable[[], EmailGate]]


class RunState:
    """Privacy mode in this process: for the whole run, and for the lineage at hand.

    A plain class, not a dataclass: importing ``dataclasses`` costs every certbot run more
    than this whole module (measured with ``python -X importtime``).
    """

    __slots__ = ("_gate", "_make_gate", "_policy", "_recorder", "_run", "_run_level", "_verb")

    def __init__(self) -> None:
        self._run_level = False
        self._verb = ""
        self._policy: Optional[WirePolicy] = None
        self._gate: Optional[EmailGate] = None
        self._make_gate: Optional[Callable[[], EmailGate]] = None
        self._recorder: Optional[DisclosureRecorder] = None
        self._run = ""

    @property
    def run_level(self) -> bool:
        """``--privacy-minimal`` (or cli.ini) for the whole run."""
        return self._run_level

    @property
    def verb(self) -> str:
        """The certbot verb (``certonly``, ``renew``, ...)."""
        return self._verb

    @property
    def policy(self) -> Optional[WirePolicy]:
        """What every outgoing request gets (User-Agent, observer); ``None``: mode off."""
        return self._policy

    @property
    def gate(self) -> Optional[EmailGate]:
        """Where a contact email could leave; ``None``: mode off.

        Made the first time it is asked for: a run that registers no account and sends
        no email (most renewals) does not import the consent rules.
        """
        if self._gate is None and self._make_gate is not None:
            self._gate = self._make_gate()
        return self._gate

    @property
    def recorder(self) -> Optional[DisclosureRecorder]:
        """What writes the disclosure log; ``None``: mode off (or no log)."""
        return self._recorder

    @property
    def run_id(self) -> str:
        """This process's run: 32 hex digits on every record it writes (made on first use)."""
        if not self._run:
            import os

            self._run = os.urandom(16).hex()
        return self._run

    @property
    def on(self) -> bool:
        """Whether privacy mode applies to requests right now."""
        return self._policy is not None

    def parsed(self, verb: str, run_level: bool) -> None:
        """Certbot parsed its command line: the verb, and whether the whole run is private."""
        self._verb, self._run_level = verb, run_level

    def activate(
        self,
        policy: WirePolicy,
        gate: Optional[Gate] = None,
        recorder: Optional[DisclosureRecorder] = None,
    ) -> None:
        """Put privacy mode in force: *policy* on every request from now on.

        *gate*: the run's email gate, or what makes it when first asked for (see
        :attr:`gate`). The first activation installs the wrapper of
        ``requests.Session.send`` and the audit hook that records every connection while a
        recorder is in force.
        """
        from certbot_privacy._internal.adapter import audithook, wire

        wire.install(lambda: self._policy)
        if recorder is not None:
            audithook.install(self._log)
        self._policy, self._recorder = policy, recorder
        if callable(gate):  # an EmailGate is not callable: what makes one
            self._gate, self._make_gate = None, gate
        else:
            self._gate, self._make_gate = gate, None

    def _log(self) -> object:
        """The log the audit hook writes to now (``None``: privacy mode off)."""
        recorder = self._recorder
        return recorder.log if recorder is not None else None

    def deactivate(self) -> None:
        """Let requests pass through untouched again (a lineage that is not private)."""
        self._policy = self._gate = self._make_gate = self._recorder = None

    @contextlib.contextmanager
    def scoped(self) -> Iterator[RunState]:
        """Whatever the block activates or deactivates is undone as it ends, however it ends."""
        saved = (self._policy, self._gate or self._make_gate, self._recorder)
        try:
            yield self
        finally:
            policy, gate, recorder = saved
            if policy is None:
                self.deactivate()
            else:
                self.activate(policy, gate, recorder)

    def reset(self) -> None:
        """Back to a fresh process's state (mode off; tests)."""
        self.deactivate()
        self._run_level, self._verb = False, ""


#: The run state of this process.
RUN = RunState()
