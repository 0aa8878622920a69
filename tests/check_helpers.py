"""Shared by the tests of cnnlib.checks: run a check that must fail and return its message."""

import pytest

from cnnlib.checks import CheckFailed


def failure(check, fn):
    with pytest.raises(CheckFailed) as info:
        check(fn)
    message = str(info.value)
    assert message.startswith("✘ ") and "\n" not in message, "one short paragraph"
    return message
