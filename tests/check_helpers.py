"""Shared by the tests of cnnlib.checks: a check that must fail, and the notebooks' solutions
that must pass."""

import pytest

from cnnlib.checks import CheckFailed

WIDTH = 90  # nbgrader's feedback cuts lines at 90 characters


def assert_message_shape(message):
    """The first line says which case failed, expected and got; no line is over 90 characters."""
    lines = message.split("\n")
    assert lines[0].startswith("✘ "), message
    assert all(len(line) <= WIDTH for line in lines), message


def failure(check, fn):
    """The message of ``check(fn)``, which must fail, with its lines joined by spaces (so that
    a phrase wrapped over two lines is still found)."""
    with pytest.raises(CheckFailed) as info:
        check(fn)
    message = str(info.value)
    assert_message_shape(message)
    return " ".join(line.strip() for line in message.split("\n"))


def solutions_pass_test(solutions):
    """A test that runs each ``(check, solution, name, cases)`` of ``solutions`` and expects
    the one line ``✔ name: passed all <cases> cases``; assign it to a ``test_...`` name."""
    names = [name for _, _, name, _ in solutions]
    ids = [name if names.count(name) == 1 else f"{name}-{fn.__name__}"
           for _, fn, name, _ in solutions]

    @pytest.mark.parametrize(("check", "fn", "name", "count"), solutions, ids=ids)
    def test(check, fn, name, count, capsys):
        check(fn)
        assert capsys.readouterr().out == f"✔ {name}: passed all {count} cases\n"

    return test
