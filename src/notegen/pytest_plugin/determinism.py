"""Reproducible runs and time limits for experiments.

Before each experiment the plugin seeds python's, numpy's and torch's global
generators, turns on torch's deterministic algorithms, fixes torch's thread
count and disables cuDNN autotuning; afterwards it puts all of it back, so
ordinary tests in the same session see no difference. torch is touched only
when it is already loaded (the experiment module imports it, or the ``device``
fixture did): notegen never imports torch for an experiment that does not use it.

The time limit interrupts the experiment with :class:`ExperimentTimeout`
(through ``SIGALRM`` in the main thread, else by raising it asynchronously in
the experiment's thread). If the experiment does not stop within a grace
period after that (a C call that never returns, a handler that swallows the
exception), a watchdog calls ``on_hard_timeout`` — which records the result
as broken — says so on the process's real standard error (file descriptor 2,
not a captured ``sys.stderr``) and ends the process: under pytest-xdist
(``notegen run`` with ``-n 1`` or more, its default) the worker is replaced and
the other experiments go on; in a single process the run ends there.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import random
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import FrameType
from typing import Any, Literal

DeterministicMode = Literal["error", "warn", "off"]
HARD_EXIT_CODE = 70


class ExperimentTimeout(BaseException):
    """Raised inside an experiment that ran past its time limit.

    A ``BaseException`` so that a broad ``except Exception`` in the experiment
    does not swallow it.
    """


def seed_everything(seed: int) -> None:
    """Seed python's and numpy's global generators, and torch's when torch is loaded."""
    random.seed(seed)
    np = sys.modules.get("numpy")
    if np is not None:
        np.random.seed(seed % 2**32)
    torch = sys.modules.get("torch")
    if torch is not None and hasattr(torch, "manual_seed"):
        torch.manual_seed(seed)  # also seeds every CUDA device


@dataclass(slots=True)
class _Saved:
    py_state: object = None
    np_state: Any = None
    torch_state: Any = None
    cuda_states: Any = None
    det: bool | None = None
    det_warn: bool | None = None
    threads: int | None = None
    cudnn_det: bool | None = None
    cudnn_bench: bool | None = None


@contextlib.contextmanager
def reproducible(seed: int, threads: int, mode: DeterministicMode) -> Iterator[list[str]]:
    """Seed, make deterministic and fix threads for the ``with`` body, then restore.

    Yields a list of notes (e.g. that deterministic algorithms could not be
    enabled) for the results record.
    """
    notes: list[str] = []
    saved = _Saved(py_state=random.getstate())
    np = sys.modules.get("numpy")
    if np is not None:
        saved.np_state = np.random.get_state()
    torch = sys.modules.get("torch")
    if torch is not None and not hasattr(torch, "manual_seed"):
        torch = None  # a half-imported or stub module
    if torch is not None:
        saved.torch_state = torch.get_rng_state()
        if torch.cuda.is_initialized():
            saved.cuda_states = torch.cuda.get_rng_state_all()
        saved.det = torch.are_deterministic_algorithms_enabled()
        saved.det_warn = torch.is_deterministic_algorithms_warn_only_enabled()
        saved.threads = torch.get_num_threads()
        saved.cudnn_det = torch.backends.cudnn.deterministic
        saved.cudnn_bench = torch.backends.cudnn.benchmark
    try:
        seed_everything(seed)
        if torch is not None:
            if threads > 0:
                torch.set_num_threads(threads)
            if mode != "off":
                try:
                    torch.use_deterministic_algorithms(True, warn_only=mode == "warn")
                except RuntimeError as e:  # pragma: no cover - depends on the build
                    notes.append(f"deterministic algorithms could not be enabled: {e}")
            torch.backends.cudnn.deterministic = mode != "off"
            torch.backends.cudnn.benchmark = False
        yield notes
    finally:
        random.setstate(saved.py_state)  # type: ignore[arg-type]
        if np is not None and saved.np_state is not None:
            np.random.set_state(saved.np_state)
        if torch is not None:
            torch.set_rng_state(saved.torch_state)
            if saved.cuda_states is not None:
                torch.cuda.set_rng_state_all(saved.cuda_states)
            torch.use_deterministic_algorithms(bool(saved.det), warn_only=bool(saved.det_warn))
            if saved.threads:
                torch.set_num_threads(saved.threads)
            torch.backends.cudnn.deterministic = saved.cudnn_det
            torch.backends.cudnn.benchmark = saved.cudnn_bench


def torch_threads() -> int:
    """torch's current intra-op thread count, 0 when torch is not loaded."""
    torch = sys.modules.get("torch")
    if torch is None or not hasattr(torch, "get_num_threads"):
        return 0
    return int(torch.get_num_threads())


def _raise_async(thread_id: int) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(ExperimentTimeout)
    )


@contextlib.contextmanager
def time_limit(
    seconds: float | None,
    *,
    grace: float = 10.0,
    on_hard_timeout: Callable[[FrameType | None], str | None] | None = None,
    what: str = "an experiment",
) -> Iterator[None]:
    """Interrupt the ``with`` body with :class:`ExperimentTimeout` after ``seconds``.

    Args:
        seconds: The limit; None or 0 means no limit.
        grace: Seconds to wait after the interruption before the watchdog ends
            the process (after calling ``on_hard_timeout``).
        on_hard_timeout: Called from the watchdog thread before the process exits,
            with the stuck thread's current frame; what it returns is added to the
            message written to the real standard error.
        what: What runs in the body, for that message.
    """
    if not seconds or seconds <= 0:
        yield
        return
    message = f"timed out after {seconds:g} s"
    ident = threading.get_ident()
    main = threading.current_thread() is threading.main_thread()
    use_signal = main and hasattr(signal, "SIGALRM")
    done = threading.Event()
    previous_handler: Any = None
    previous_timer = (0.0, 0.0)
    soft: threading.Timer | None = None

    def _handler(signum: int, frame: FrameType | None) -> None:
        __tracebackhide__ = True
        raise ExperimentTimeout(message)

    if use_signal:
        previous_handler = signal.signal(signal.SIGALRM, _handler)
        previous_timer = signal.setitimer(signal.ITIMER_REAL, seconds)
    else:

        def _soft() -> None:
            if not done.is_set():
                _raise_async(ident)

        soft = threading.Timer(seconds, _soft)
        soft.daemon = True
        soft.start()

    def _hard() -> None:
        if done.wait(seconds + grace):
            return
        detail: str | None = None
        try:
            if on_hard_timeout is not None:
                detail = on_hard_timeout(sys._current_frames().get(ident))
        finally:
            text = (
                f"\nnotegen: {what} did not stop {grace:g} s after its time limit of "
                f"{seconds:g} s{'; ' + detail if detail else ''}; ending this process "
                f"(exit code {HARD_EXIT_CODE}).\n"
            )
            # fd 2 itself: sys.stderr may be a capture that nobody will ever print.
            with contextlib.suppress(OSError):
                os.write(2, text.encode("utf-8", "replace"))
            os._exit(HARD_EXIT_CODE)

    watchdog = threading.Thread(target=_hard, name="notegen-watchdog", daemon=True)
    watchdog.start()
    try:
        yield
    finally:
        done.set()
        if use_signal:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous_handler)
            if previous_timer[0] > 0:  # someone else's alarm (e.g. pytest-timeout)
                signal.setitimer(signal.ITIMER_REAL, *previous_timer)
        if soft is not None:
            soft.cancel()
