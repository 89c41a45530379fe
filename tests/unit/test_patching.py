"""adapter.patching.Patch: idempotent, undoable, pass-through while off, the error boundary.

The patched owner is a small stand-in for a certbot module (a fresh one per test), so
certbot is untouched; certbot's ``errors.Error`` is the real one.
"""

import inspect
from types import SimpleNamespace
from typing import Any, Callable, List

import pytest
from certbot import errors as certbot_errors

from certbot_privacy._internal.adapter.patching import Patch
from certbot_privacy._internal.errors import ConsentError, UsageError


class _Module(SimpleNamespace):
    """Stands for a certbot module: one function, and who called it with what."""

    calls: List[str]
    greet: Callable[..., str]


@pytest.fixture
def owner() -> _Module:
    module = _Module(calls=[])

    def greet(name: str, punctuation: str = "!") -> str:
        """Certbot's original function."""
        module.calls.append(name)
        return f"hello {name}{punctuation}"

    module.greet = greet
    return module


def _shouting(counter: List[int]) -> Callable[..., str]:
    def wrapper(original: Callable[..., str], name: str, punctuation: str = "!") -> str:
        counter.append(1)
        return original(name.upper(), punctuation)

    return wrapper


def test_start_wraps_and_passes_the_original_first(owner: _Module) -> None:
    """Started, the wrapper runs with the original and the caller's arguments."""
    wrapped: List[int] = []
    patch = Patch(owner, "greet", _shouting(wrapped))
    patch.start()
    assert owner.greet("ada", punctuation="?") == "hello ADA?"
    assert wrapped == [1] and owner.calls == ["ADA"]
    assert patch.started


def test_start_twice_wraps_once(owner: _Module) -> None:
    """A second start (certbot 2.1.0 builds its parser twice) changes nothing."""
    wrapped: List[int] = []
    patch = Patch(owner, "greet", _shouting(wrapped))
    patch.start()
    installed = owner.greet
    patch.start()
    assert owner.greet is installed
    owner.greet("ada")
    assert wrapped == [1]


def test_stop_restores_the_original(owner: _Module) -> None:
    """stop puts certbot's own function back, and the patch no longer counts as started."""
    original = owner.greet
    patch = Patch(owner, "greet", _shouting([]))
    patch.start()
    patch.stop()
    assert owner.greet is original
    assert not patch.started and patch.original is None
    assert owner.greet("ada") == "hello ada!"


def test_stop_leaves_a_later_wrapper_alone(owner: _Module) -> None:
    """A patch that is no longer the installed function does not undo someone else's."""
    patch = Patch(owner, "greet", _shouting([]))
    patch.start()
    later = Patch(owner, "greet", _shouting([]))
    later.start()
    on_top = owner.greet
    patch.stop()
    assert owner.greet is on_top


def test_restart_after_stop_wraps_again(owner: _Module) -> None:
    """Stopped and started again (tests do this), the wrapper applies once more."""
    wrapped: List[int] = []
    patch = Patch(owner, "greet", _shouting(wrapped))
    patch.start()
    patch.stop()
    patch.start()
    assert owner.greet("ada") == "hello ADA!"
    assert wrapped == [1]


def test_the_installed_function_looks_like_the_original(owner: _Module) -> None:
    """functools.wraps: certbot's name, docstring and __wrapped__ stay visible."""
    original = owner.greet
    Patch(owner, "greet", _shouting([])).start()
    assert owner.greet is not original
    assert owner.greet.__name__ == "greet"
    assert owner.greet.__doc__ == "Certbot's original function."
    assert inspect.unwrap(owner.greet) is original


def test_while_when_is_false_the_original_runs_untouched(owner: _Module) -> None:
    """Privacy mode off: the wrapper is not called at all, nor are arguments changed."""
    wrapped: List[int] = []
    state = {"on": False}
    Patch(owner, "greet", _shouting(wrapped), when=lambda: state["on"]).start()
    assert owner.greet("ada") == "hello ada!"
    assert wrapped == []
    state["on"] = True
    assert owner.greet("ada") == "hello ADA!"
    assert wrapped == [1]


def test_when_is_asked_on_every_call(owner: _Module) -> None:
    """The decision is made per call, not when the patch is started."""
    asked: List[int] = []

    def when() -> bool:
        asked.append(1)
        return False

    Patch(owner, "greet", _shouting([]), when=when).start()
    owner.greet("a")
    owner.greet("b")
    assert len(asked) == 2


def _raising(error: Exception) -> Callable[..., Any]:
    def wrapper(original: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        raise error

    return wrapper


def test_our_errors_become_certbot_errors_with_the_same_sentence(owner: _Module) -> None:
    """A CertbotPrivacyError crosses into certbot as errors.Error, message unchanged."""
    sentence = "No email was sent (you did not agree to send one)."
    Patch(owner, "greet", _raising(ConsentError(sentence))).start()
    with pytest.raises(certbot_errors.Error) as raised:
        owner.greet("ada")
    assert str(raised.value) == sentence
    assert not isinstance(raised.value, ConsentError)
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_at_parse_time_our_errors_exit_2_with_one_line(
    owner: _Module, capsys: pytest.CaptureFixture[str]
) -> None:
    """usage_errors=True: SystemExit(2), the sentence on stderr as one line, nothing else."""
    sentence = "--privacy-log only takes effect in privacy mode: add --privacy-minimal."
    Patch(owner, "greet", _raising(UsageError(sentence)), usage_errors=True).start()
    with pytest.raises(SystemExit) as raised:
        owner.greet("ada")
    assert raised.value.code == 2
    captured = capsys.readouterr()
    assert captured.err == f"certbot: error: {sentence}\n"
    assert captured.out == ""


def test_other_errors_pass_unchanged(owner: _Module) -> None:
    """Certbot's own errors and bugs are not ours to translate."""
    error = certbot_errors.PluginError("certbot's own")
    patch = Patch(owner, "greet", _raising(error))
    patch.start()
    with pytest.raises(certbot_errors.PluginError) as raised:
        owner.greet("ada")
    assert raised.value is error
    patch.stop()
    Patch(owner, "greet", _raising(KeyError("bug")), usage_errors=True).start()
    with pytest.raises(KeyError):
        owner.greet("ada")


def test_a_patch_is_a_context_manager(owner: _Module) -> None:
    """``with Patch(...)``: wrapped inside the block, the original again after it."""
    original = owner.greet
    with Patch(owner, "greet", _shouting([])) as patch:
        assert patch.started and owner.greet("x") == "hello X!"
    assert owner.greet is original
