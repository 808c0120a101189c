"""Hooks the notegen pytest plugin adds (registered through ``pytest_addhooks``).

Implement them in a ``conftest.py`` or a plugin to react to experiment results.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from notegen.store.files import SaveOutcome


@pytest.hookspec(firstresult=False)
def pytest_notegen_recorded(item: pytest.Item, outcome: SaveOutcome) -> None:
    """Called in the process that ran ``item`` after its results file was saved.

    Args:
        item: The experiment's test item.
        outcome: What was saved: the path, ``created``/``updated``/``unchanged``,
            the record now on disk and the one before.
    """
