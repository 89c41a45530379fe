"""The log cannot be redirected through its parent directories (issue 10)."""

import os
from pathlib import Path

import pytest

from certbot_privacy._internal.errors import DisclosureLogError
from certbot_privacy._internal.log.paths import SYSTEM_GID_LIMIT, check_parents
from certbot_privacy._internal.log.writer import DisclosureLog

NOBODY = 65534

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="chown needs root")


@pytest.fixture
def base(tmp_path: Path) -> Path:
    base = tmp_path / "base"
    base.mkdir(mode=0o755)
    return base


def test_private_parents_are_accepted(base: Path) -> None:
    """Directories owned by root (or the user) and writable by the owner only: fine."""
    DisclosureLog(base / "logs" / "d.jsonl").ensure_writable()
    assert (base / "logs" / "d.jsonl").exists()


def test_world_writable_parent_is_refused(base: Path) -> None:
    """A directory every user may write, without the sticky bit, is refused; nothing made."""
    base.chmod(0o777)
    with pytest.raises(DisclosureLogError, match=r"is writable by every user \(mode 0777\)"):
        DisclosureLog(base / "logs" / "d.jsonl").ensure_writable()
    assert not (base / "logs").exists()


def test_sticky_world_writable_parent_is_accepted(base: Path) -> None:
    """/tmp-style directories (sticky bit) are fine: only an entry's owner may replace it."""
    base.chmod(0o1777)
    check_parents(str(base / "logs" / "d.jsonl"))


def test_parent_owned_by_another_user_is_refused(base: Path) -> None:
    """A parent another user owns (they could swap what is inside it) is refused."""
    os.chown(base, NOBODY, -1)
    with pytest.raises(DisclosureLogError, match=rf"belongs to another user \(uid {NOBODY}\)"):
        DisclosureLog(base / "d.jsonl").ensure_writable()


def test_group_writable_parent_is_refused_unless_a_system_group(base: Path) -> None:
    """Group-writable by a user group: refused; by a system group (Ubuntu's syslog): fine."""
    base.chmod(0o775)
    os.chown(base, -1, SYSTEM_GID_LIMIT + 1)
    with pytest.raises(DisclosureLogError, match="is writable by group"):
        check_parents(str(base / "d.jsonl"))
    os.chown(base, -1, 4)  # adm, say
    check_parents(str(base / "d.jsonl"))


def test_symlinked_parent_owned_by_another_user_is_refused(base: Path) -> None:
    """A link on the path that another user made (in a sticky directory, say) is refused."""
    base.chmod(0o1777)
    (base / "real").mkdir(mode=0o700)
    (base / "logs").symlink_to(base / "real")
    os.lchown(base / "logs", NOBODY, NOBODY)
    with pytest.raises(DisclosureLogError, match="is a symbolic link owned by uid"):
        DisclosureLog(base / "logs" / "d.jsonl").ensure_writable()
    assert list((base / "real").iterdir()) == []


def test_symlinked_parent_is_followed_and_its_target_checked(base: Path) -> None:
    """A root's link is followed, and the directories it leads to are checked in turn."""
    elsewhere = base / "elsewhere"
    (elsewhere / "logs").mkdir(parents=True, mode=0o700)
    (base / "link").symlink_to("elsewhere/logs")
    check_parents(str(base / "link" / "d.jsonl"))
    os.chown(elsewhere / "logs", NOBODY, -1)
    with pytest.raises(DisclosureLogError, match=f"{elsewhere / 'logs'} belongs to another"):
        check_parents(str(base / "link" / "d.jsonl"))


def test_symlink_loop_is_an_error(base: Path) -> None:
    """A link that leads to itself ends the walk with an error, not a hang."""
    (base / "loop").symlink_to("loop")
    with pytest.raises(DisclosureLogError):
        check_parents(str(base / "loop" / "d.jsonl"))
