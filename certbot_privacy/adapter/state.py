"""The run state: what this certbot process knows about privacy mode, in one object.

Certbot imports the plugin on every run, so this module is tiny and imports nothing of
its own. :data:`RUN` is the only run state: the plugin's hooks, the wire and the email
hooks all read and write it, and tests reset it with :meth:`RunState.reset`.
"""

from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from certbot_privacy.adapter.email_gate import EmailGate
    from certbot_privacy.adapter.wire import WirePolicy


class RunState:
    """Privacy mode in this process: for the whole run, and for the lineage at hand.

    A plain class, not a dataclass: importing ``dataclasses`` costs every certbot run more
    than this whole module (measured with ``python -X importtime``).
    """

    __slots__ = ("gate", "policy", "run_level", "verb")

    def __init__(self) -> None:
        #: ``--privacy-minimal`` (or cli.ini) for the whole run.
        self.run_level = False
        #: The certbot verb (``certonly``, ``renew``, ...).
        self.verb = ""
        #: What every outgoing request gets (User-Agent, recorder); ``None``: mode off.
        self.policy: Optional[WirePolicy] = None
        #: Where a contact email could leave; ``None``: mode off.
        self.gate: Optional[EmailGate] = None

    @property
    def on(self) -> bool:
        """Whether privacy mode applies to requests right now."""
        return self.policy is not None

    def reset(self) -> None:
        """Back to a fresh process's state (mode off)."""
        self.run_level, self.verb, self.policy, self.gate = False, "", None, None


#: The run state of this process.
RUN = RunState()
