"""The notegen pytest plugin (``pytest11`` entry point ``notegen``).

It provides the ``claim`` marker, the ``measure`` and ``device`` fixtures and
the ``--notegen-*`` options; the hooks that run experiments and record their
results live in :mod:`notegen.pytest_plugin.session`. torch and matplotlib are
imported only when an experiment uses them.

Options (command line, then ini key in ``[tool.pytest.ini_options]``):

- ``--notegen-results-dir`` / ``notegen_results_dir`` (``results``, relative to the rootdir)
- ``--notegen-timeout`` / ``notegen_timeout``: default time limit per experiment
  in seconds (300; 0 for none); ``claim(..., timeout=)`` overrides it
- ``notegen_timeout_grace``: seconds after the limit before a stuck process is ended (10)
- ``--notegen-threads`` / ``notegen_threads``: torch's thread count in experiments (1)
- ``--notegen-device`` / ``notegen_device``: ``auto`` (CUDA when present), ``cpu`` or ``cuda``
- ``--notegen-deterministic`` / ``notegen_deterministic``: ``warn`` (default; a
  non-deterministic torch op warns), ``error`` (it raises: the run is broken) or ``off``
- ``notegen_seed``: the seed set before each experiment (0)
- ``--notegen-no-record``: run and judge experiments but write no results files
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from notegen.pytest_plugin.measure import Measure
from notegen.pytest_plugin.session import STATE_KEY, NotegenSession

if TYPE_CHECKING:
    from pluggy import PluginManager

MARKER = (
    "claim(*ids, expect='supported', timeout=None): this test is an experiment that checks "
    "the claims with these ids (from `claim::` in notes); expect is the declared verdict "
    "(supported, refuted, inconclusive); timeout in seconds overrides notegen_timeout."
)


def pytest_addhooks(pluginmanager: PluginManager) -> None:
    from notegen.pytest_plugin import hookspec

    pluginmanager.add_hookspecs(hookspec)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("notegen", "notegen experiments (claims checked by measurements)")
    group.addoption(
        "--notegen-results-dir",
        dest="notegen_results_dir",
        default=None,
        metavar="DIR",
        help="where results/*.json go (default: <rootdir>/results)",
    )
    group.addoption(
        "--notegen-timeout",
        dest="notegen_timeout",
        default=None,
        metavar="SECONDS",
        help="default time limit per experiment, 0 for none (default: 300)",
    )
    group.addoption(
        "--notegen-threads",
        dest="notegen_threads",
        default=None,
        metavar="N",
        help="torch thread count inside experiments (default: 1)",
    )
    group.addoption(
        "--notegen-device",
        dest="notegen_device",
        default=None,
        choices=("auto", "cpu", "cuda"),
        help="device of the `device` fixture (default: auto = cuda when present)",
    )
    group.addoption(
        "--notegen-deterministic",
        dest="notegen_deterministic",
        default=None,
        choices=("error", "warn", "off"),
        help="torch deterministic algorithms: warn (default), error or off",
    )
    group.addoption(
        "--notegen-no-record",
        dest="notegen_no_record",
        action="store_true",
        default=False,
        help="judge experiments but write no results files",
    )
    parser.addini(
        "notegen_results_dir", "where results files go, relative to the rootdir", default="results"
    )
    parser.addini(
        "notegen_timeout", "default time limit per experiment in seconds (0: none)", default="300"
    )
    parser.addini(
        "notegen_timeout_grace",
        "seconds after the time limit before a stuck experiment's process is ended",
        default="10",
    )
    parser.addini("notegen_threads", "torch thread count inside experiments", default="1")
    parser.addini("notegen_device", "auto, cpu or cuda", default="auto")
    parser.addini("notegen_deterministic", "error, warn or off", default="warn")
    parser.addini("notegen_seed", "seed set before each experiment", default="0")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER)
    config.pluginmanager.register(NotegenSession(config), "notegen-session")


@pytest.fixture
def measure(request: pytest.FixtureRequest) -> Measure:
    """Records the experiment's metrics, seeds, figures, summary and verdict.

    See :class:`notegen.pytest_plugin.measure.Measure`.
    """
    state = request.node.stash.get(STATE_KEY, None)
    if state is None:
        path, line, _ = request.node.location
        where = f"{path}:{line + 1}" if line is not None else request.node.nodeid
        # Only the message: the frame that raises it is notegen's, not the user's.
        pytest.fail(
            f"{where}: {request.node.name} uses the measure fixture, which is for "
            'experiments; mark the test @pytest.mark.claim("claim-id") with the claim '
            "it checks",
            pytrace=False,
        )
    return Measure(state)


@pytest.fixture
def device(request: pytest.FixtureRequest) -> Any:
    """The ``torch.device`` to run on: CUDA when present (and not disabled), else CPU."""
    import torch

    session = request.config.pluginmanager.get_plugin("notegen-session")
    wanted = session.settings.device if isinstance(session, NotegenSession) else "auto"
    if wanted == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(
            "notegen_device is 'cuda' but torch sees no CUDA device; "
            "use --notegen-device=auto or cpu"
        )
    use_cuda = wanted == "cuda" or (wanted == "auto" and torch.cuda.is_available())
    dev = torch.device("cuda" if use_cuda else "cpu")
    state = request.node.stash.get(STATE_KEY, None)
    if state is not None:
        state.device = f"cuda ({torch.cuda.get_device_name(0)})" if use_cuda else "cpu"
    return dev
