"""One way to wrap a function of certbot, acme or requests: idempotent, undoable, translated.

A :class:`Patch` names an attribute (``owner.name``) and a *wrapper* that receives the
original function first. :meth:`Patch.start` installs it once, however often it is
called (certbot 2.1.0 builds its parser, and so calls ``inject_parser_options``, twice);
:meth:`Patch.stop` puts the original back (tests). While *when* returns false the
original is called untouched, so a run without privacy mode behaves as without the
plugin. Errors of this package raised inside a wrapper cross into certbot here, and only
here: a :class:`~certbot_privacy._internal.errors.CertbotPrivacyError` becomes a certbot
``errors.Error`` with the same one-sentence message (certbot then prints it and exits 1),
or, for hooks that run while the command line is parsed, a usage error: the message on
standard error and exit code 2, before anything is sent.

Every patch of the package is installed through :func:`install`, which keeps it in
:data:`PATCHES` by name, so that :func:`stop_all` can undo all of them (tests).
"""

from __future__ import annotations

import functools
import sys
from types import TracebackType
from typing import TYPE_CHECKING, Any, Callable, Dict, NoReturn, Optional, Type

if TYPE_CHECKING:  # types only: certbot imports this module on every run
    Wrapper = Callable[..., Any]

#: The attribute, on an installed function, that names the :class:`Patch` behind it.
_MARK = "__certbot_privacy_patch__"


def exit_usage(message: str) -> NoReturn:
    """Stop certbot with a usage error: *message* on standard error, exit code 2."""
    from certbot_privacy._internal.errors import EXIT_USAGE

    sys.stderr.write(f"certbot: error: {message}\n")
    raise SystemExit(EXIT_USAGE)


class Patch:
    """``owner.name`` wrapped by *wrapper* ``(original, *args, **kwargs)`` while started.

    *when*: called on every call; while it returns false, the original runs untouched
    (``None``: always wrap). *usage_errors*: the hook runs at parse time, so this
    package's errors stop certbot with exit code 2 instead of becoming certbot errors.
    """

    def __init__(
        self,
        owner: Any,
        name: str,
        wrapper: Wrapper,
        *,
        when: Optional[Callable[[], bool]] = None,
        usage_errors: bool = False,
    ) -> None:
        self.owner = owner
        self.name = name
        self.wrapper = wrapper
        self.when = when
        self.usage_errors = usage_errors
        self.original: Optional[Callable[..., Any]] = None

    @property
    def started(self) -> bool:
        """Whether ``owner.name`` is this patch's function now."""
        return getattr(getattr(self.owner, self.name, None), _MARK, None) is self

    def start(self) -> None:
        """Install the wrapper (once: a second call changes nothing)."""
        if self.started:
            return
        original = getattr(self.owner, self.name)
        self.original = original
        patch = self

        @functools.wraps(original)
        def patched(*args: Any, **kwargs: Any) -> Any:
            if patch.when is not None and not patch.when():
                return original(*args, **kwargs)
            try:
                return patch.wrapper(original, *args, **kwargs)
            except Exception as error:
                # errors imported here, not at the top: certbot imports this on every run.
                from certbot_privacy._internal.errors import CertbotPrivacyError

                if not isinstance(error, CertbotPrivacyError):
                    raise
                if patch.usage_errors:
                    exit_usage(str(error))
                from certbot import errors

                raise errors.Error(str(error)) from None

        setattr(patched, _MARK, self)
        setattr(self.owner, self.name, patched)

    def stop(self) -> None:
        """Put the original back, if this patch is the one installed."""
        if self.started and self.original is not None:
            setattr(self.owner, self.name, self.original)
        self.original = None

    def __enter__(self) -> Patch:
        self.start()
        return self

    def __exit__(
        self,
        kind: Optional[Type[BaseException]],
        error: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        self.stop()


#: The patches installed so far, by name (tests stop them with :func:`stop_all`).
PATCHES: Dict[str, Patch] = {}


def install(name: str, make: Callable[[], Patch]) -> Patch:
    """Start the patch called *name*, made by *make* unless one by that name is started."""
    patch = PATCHES.get(name)
    if patch is None or not patch.started:
        patch = PATCHES[name] = make()
        patch.start()
    return patch


def stop_all() -> None:
    """Undo every patch installed through :func:`install` (tests)."""
    for patch in PATCHES.values():
        patch.stop()
    PATCHES.clear()
