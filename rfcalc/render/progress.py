"""Progress where a command makes a person wait: a rich bar on standard error (layers
done of the total, and what is being computed), when standard error is a terminal and
the work has run past a second; nothing otherwise (CI logs, JSON pipes, quick runs).

The engine stays pure: its long loops take a ``progress`` callable and call it with the
count of layers done; this module turns those calls into a bar.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

#: seconds of work before a bar appears (a quick command never flashes one)
DELAY = 1.0

#: seconds between redraws of a bar that shows
REDRAW = 0.1

#: what the engine's loops are handed: called with the number of layers done
Tick = Callable[[int], None]


class Bar:
    """One bar, drawn once ``delay`` seconds have passed (checked on each tick: a
    tick is one clock read while nothing shows). ``console``: where to draw (a rich
    console on standard error by default); ``clock``: seconds, for tests."""

    def __init__(
        self,
        console: Any = None,
        delay: float = DELAY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._console = console
        self._delay = delay
        self._clock = clock
        self._start = clock()
        self._progress: Any = None
        self._task: Any = None
        self._what = ""
        self._total: int | None = None
        self._drawn = 0.0

    def stage(self, what: str, total: int | None) -> Tick:
        """Start a stage (``what``: said beside the bar; ``total`` layers, or None for
        a stage that cannot count); returns its tick."""
        self._what, self._total = what, total
        if self._progress is not None:
            self._progress.update(
                self._task, description=what, total=total, completed=0, refresh=True
            )
            self._drawn = self._clock()
        else:
            self._maybe_show(0)
        return self._tick

    def _tick(self, done: int) -> None:
        now = self._clock()
        if self._progress is None:
            if now - self._start >= self._delay:
                self._maybe_show(done)
            return
        redraw = now - self._drawn >= REDRAW
        self._progress.update(self._task, completed=done, refresh=redraw)
        if redraw:
            self._drawn = now

    def _maybe_show(self, done: int) -> None:
        if self._progress is not None or self._clock() - self._start < self._delay:
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        console = self._console or Console(stderr=True)
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("layers"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            auto_refresh=False,  # drawn from the ticks, at most every REDRAW seconds
            # what the command prints goes where it would without a bar (a table or a
            # JSON document piped to a file must not land on standard error); messages
            # on standard error are printed above the bar
            redirect_stdout=False,
        )
        self._task = self._progress.add_task(self._what, total=self._total, completed=done)
        self._progress.start()
        self._progress.refresh()
        self._drawn = self._clock()

    def close(self) -> None:
        """Remove the bar (a later stage draws it again): before the command prints its
        results, so that they never mix with the bar on one terminal."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


class _Silent:
    """A bar that never shows (standard error is not a terminal)."""

    def stage(self, what: str, total: int | None) -> Tick:  # noqa: ARG002
        return _nothing

    def close(self) -> None:
        pass


def _nothing(done: int) -> None:
    pass


@contextmanager
def progress(enabled: bool | None = None) -> Iterator[Bar | _Silent]:
    """A bar for one command, removed when it ends; ``enabled``: None asks whether
    standard error is a terminal."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    bar: Bar | _Silent = Bar() if enabled else _Silent()
    try:
        yield bar
    finally:
        bar.close()
