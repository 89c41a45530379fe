"""Fitting text to a terminal: display width, wrapping (Chinese included), rows."""

# ruff: noqa: RUF001 - Chinese punctuation on purpose

import pytest

from certbot_privacy._internal.rules import layout


@pytest.mark.parametrize(
    ("text", "width"),
    [("abc", 3), ("中文", 4), ("ａ", 2), ("e\u0301", 1), ("“x”", 3), ("", 0)],
)
def test_width_counts_wide_characters_twice(text: str, width: int) -> None:
    """Wide and full-width characters take two columns, combining marks none."""
    assert layout.width(text) == width


def test_wrap_breaks_at_spaces_and_keeps_words_whole() -> None:
    """English wraps at blanks; no line is longer than asked."""
    lines = layout.wrap("the quick brown fox jumps over the lazy dog", 10)
    assert lines == ["the quick", "brown fox", "jumps over", "the lazy", "dog"]


def test_wrap_breaks_between_chinese_characters() -> None:
    """Chinese wraps between any two characters, counting two columns each."""
    lines = layout.wrap("不提供邮箱也能签发和续期证书", 10)
    assert lines == ["不提供邮箱", "也能签发和", "续期证书"]
    assert all(layout.width(line) <= 10 for line in lines)


def test_closing_punctuation_never_starts_a_line() -> None:
    """Kinsoku: a full stop or closing bracket is carried down with the character before it."""
    lines = layout.wrap("一二三四五。六七", 10)
    assert lines == ["一二三四", "五。六七"]
    assert not any(line[:1] in layout.NO_LINE_START for line in lines)


def test_opening_punctuation_never_ends_a_line() -> None:
    """An opening bracket moves to the next line with what it opens."""
    lines = layout.wrap("一二三四（五六", 10)
    assert lines == ["一二三四", "（五六"]


def test_a_word_longer_than_the_line_is_cut() -> None:
    """A long URL is cut at the width rather than overflowing."""
    assert layout.wrap("x " + "a" * 25, 10) == ["x", "aaaaaaaaaa", "aaaaaaaaaa", "aaaaa"]


def test_fill_keeps_blank_lines_indentation_and_the_prompts_blank() -> None:
    """Paragraph breaks stay, indented lines stay indented, "[y/N] " keeps its blank."""
    text = "one two three four\n\n  indented words here\nSend? [y/N] "
    assert layout.fill(text, 12) == (
        "one two\nthree four\n\n  indented\n  words here\nSend? [y/N] "
    )


@pytest.mark.parametrize(
    ("text", "rows"),
    [("a", 1), ("a\nb", 2), ("x" * 80, 2), ("x" * 79, 1), ("x" * 81 + "\nq", 3), ("\n", 2)],
)
def test_rows_count_the_cursor_after_the_last_line(text: str, rows: int) -> None:
    """The last line needs a cell for the cursor: 80 characters there take two rows."""
    assert layout.rows(text, 80) == rows


def test_hang_keeps_the_head_and_indents_what_follows() -> None:
    """A long line: its first line starts as it did, the rest two columns further in; the
    line's own indent stays on every line; a short line is left alone."""
    line = "/var/log/x.jsonl:12: edited: the line's bytes are not what line 13 chains to"
    assert layout.hang(line, 30) == [
        "/var/log/x.jsonl:12: edited:",
        "  the line's bytes are not",
        "  what line 13 chains to",
    ]
    assert layout.hang("  one two three four", 12) == ["  one two", "    three", "    four"]
    assert layout.hang("short", 30) == ["short"]


def test_hang_cuts_a_word_longer_than_the_line() -> None:
    """A file name longer than the line is cut, never left to overflow."""
    lines = layout.hang("x" * 25 + ": intact", 10)
    assert lines == ["x" * 10, "  " + "x" * 8, "  " + "x" * 7 + ":", "  intact"]
