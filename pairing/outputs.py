"""A command's outputs as one set: written as a whole or not at all.

Files are written into a hidden folder inside the output folder
(``.pairing-<pid>-<token>``, on the same file system), then moved into place
together with signals held back, and any file of an earlier run that this run
did not write again is removed: a folder never holds a new ``plan.csv`` beside
an old ``report.html``. Anything that fails or is interrupted before the move
leaves the folder exactly as it was, and the hidden folder is removed (one left
by a killed process is removed by the next run in that folder).

Each file is produced in a thread of its own, so that a deadline (the time
limit, or a second Ctrl-C) can skip a slow one, such as a large map, within a
fraction of a second; what was skipped, and why, is recorded.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import secrets
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from .deadline import Deadline
from .errors import InputError

PREFIX = ".pairing-"

log = logging.getLogger(__name__)


class OutputFolder:
    """The set of files one run writes into ``folder``.

    Parameters
    ----------
    folder : str or pathlib.Path
        The output folder; created when missing.
    owned : iterable of str
        The names (files or folders) this kind of run writes: those it does not
        write again are removed from ``folder`` when the set is committed.
    inputs : iterable of path
        The run's input files: a set that would overwrite one is refused.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "old.txt").write_text("from an earlier run")
    >>> with OutputFolder(folder, owned=["new.txt", "old.txt"]) as output:
    ...     output.write("new.txt", lambda path: path.write_text("this run"))
    True
    >>> sorted(p.name for p in folder.iterdir())
    ['new.txt']
    """

    def __init__(self, folder: str | Path, owned: Iterable[str], inputs: Iterable[str | Path | None] = ()):
        self.folder = Path(folder)
        self.owned = list(dict.fromkeys(owned))
        self.inputs = [Path(path) for path in inputs if path]
        self.written: dict[str, float] = {}
        self.skipped: dict[str, str] = {}
        #: What :meth:`commit` put in place.
        self.committed: list[Path] = []
        #: Why a file the deadline cut short is skipped, when the caller knows
        #: better than the deadline (a stop that already ended the search).
        self.skip_reason: str | None = None
        self.temp: Path | None = None

    # -- opening -----------------------------------------------------------------------
    def open(self) -> "OutputFolder":
        """Create the folder and the hidden one, refusing a folder that cannot be
        written or a set that would overwrite an input, before any work is done."""
        if self.folder.exists() and not self.folder.is_dir():
            raise InputError("is a file, not a folder", fix="give a folder for the outputs (--out)", file=str(self.folder))
        for path in self.inputs:
            for name in self.owned:
                target = self.folder / name
                if path.exists() and target.exists() and os.path.samefile(path, target):
                    raise InputError(f"the outputs would overwrite the input {path}", fix="choose another output folder (--out)",
                                     file=str(self.folder))
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            _remove_abandoned(self.folder)
            self.temp = self.folder / f"{PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
            self.temp.mkdir()
        except OSError as error:
            raise unwritable(self.folder, error) from None
        return self

    def __enter__(self) -> "OutputFolder":
        return self.open() if self.temp is None else self

    def __exit__(self, kind, error, traceback) -> None:
        """Commit the set when the block succeeds (unless it committed already),
        else discard it."""
        if kind is None:
            self.commit()
        else:
            self.discard()

    # -- writing -----------------------------------------------------------------------
    def path(self, name: str) -> Path:
        """Where ``name`` is written before the commit."""
        assert self.temp is not None, "open the output folder first"
        return self.temp / name

    def write(self, name: str, produce: Callable[[Path], object], deadline: Deadline | None = None) -> bool:
        """Produce ``name`` (``produce(path)`` writes the file or folder at ``path``,
        or writes nothing when it has nothing to write) in a thread, until
        ``deadline``. True when it was written; False when ``produce`` wrote
        nothing or the deadline passed first (recorded in :attr:`skipped`)."""
        if deadline is not None and deadline.over():
            return self._skip(name, deadline)
        started = time.perf_counter()
        log.info("writing %s", name)
        # Written under its own name (writers go by the suffix) in a folder of its
        # own, then moved beside the others only once complete.
        scratch = self.path(name).parent / f".part-{secrets.token_hex(4)}"
        part = scratch / Path(name).name
        try:
            scratch.mkdir(parents=True)
        except OSError as error:
            raise unwritable(self.folder, error) from None
        outcome: dict = {}

        def work() -> None:
            try:
                produce(part)
                if part.exists():
                    os.replace(part, self.path(name))
                    outcome["written"] = True
                shutil.rmtree(scratch, ignore_errors=True)
            except BaseException as error:  # raised in the caller's thread below
                outcome["error"] = error

        worker = threading.Thread(target=work, name=f"pairing-write-{name}", daemon=True)
        worker.start()
        while worker.is_alive():
            worker.join(0.05)
            if deadline is not None and deadline.over() and worker.is_alive():
                return self._skip(name, deadline)
        if "error" in outcome:
            error = outcome["error"]
            if isinstance(error, OSError):
                raise unwritable(self.folder, error) from error
            raise error
        if outcome.get("written"):
            self.written[name] = round(time.perf_counter() - started, 3)
            return True
        return False

    def _skip(self, name: str, deadline: Deadline) -> bool:
        self.skipped[name] = self.skip_reason or ("stopped" if deadline.stopped() else "time limit")
        return False

    # -- the whole set -----------------------------------------------------------------
    def commit(self) -> list[Path]:
        """Move the written files into the folder and remove the owned ones this
        run did not write; signals wait until it is done."""
        if self.temp is None:
            return self.committed
        written_tops = {Path(name).parts[0] for name in self.written}
        with _signals_held():
            try:
                for name in self.owned:
                    target = self.folder / name
                    if name in written_tops:
                        _replace(self.temp / name, target, self.temp)
                    elif target.is_dir() and not target.is_symlink():
                        shutil.rmtree(target)
                    elif target.exists() or target.is_symlink():
                        target.unlink()
            except OSError as error:
                raise unwritable(self.folder, error) from None
            finally:
                self.discard()
        self.committed = [self.folder / name for name in self.written]
        return self.committed

    def discard(self) -> None:
        """Remove the hidden folder and everything in it; the folder keeps what it had."""
        if self.temp is not None:
            shutil.rmtree(self.temp, ignore_errors=True)
            self.temp = None


def unwritable(folder: Path, error: BaseException) -> InputError:
    """An output error in the user's terms: which folder, what the system said, what to do."""
    if isinstance(error, InputError):
        return error
    reason = os.strerror(error.errno) if isinstance(error, OSError) and error.errno else str(error)
    fix = ("free some space or choose another output folder (--out)" if getattr(error, "errno", None) == errno.ENOSPC
           else "choose a folder you can write to (--out)")
    return InputError(f"cannot write the outputs ({reason}); nothing was written, the folder is as it was", fix=fix, file=str(folder))


def _replace(source: Path, target: Path, temp: Path) -> None:
    """``source`` onto ``target``; a folder replaces a folder (the old one moved into
    ``temp`` first, to be removed with it)."""
    if source.is_dir() and target.is_dir() and not target.is_symlink():
        os.replace(target, temp / f".old-{target.name}")
    os.replace(source, target)


def _remove_abandoned(folder: Path) -> None:
    """Hidden folders of runs whose process is gone (killed before it could clean up)."""
    for path in folder.glob(f"{PREFIX}*"):
        pid = path.name[len(PREFIX):].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM wait while the block runs (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
