"""Shared by the tests of cnnlib.checks: a check that must fail, and the notebooks' solutions
that must pass."""

import pytest

from cnnlib.checks import CheckFailed


def failure(check, fn):
    with pytest.raises(CheckFailed) as info:
        check(fn)
    message = str(info.value)
    assert message.startswith("✘ ") and "\n" not in message, "one short paragraph"
    return message


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
