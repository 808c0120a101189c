"""A demo experiment that uses only the other helpers."""

import pytest
from other.util import constant


@pytest.mark.claim("half")
def test_half(measure):
    """The constant is one half."""
    measure.metric("value", constant())
    assert constant() == 0.5
