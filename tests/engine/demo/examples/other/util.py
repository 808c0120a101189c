"""A helper only test_other.py uses."""


def constant():
    return 0.5
