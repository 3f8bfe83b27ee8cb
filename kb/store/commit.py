"""The build folder's lock, and the all-or-nothing swap of a staged build into it, with the
recovery after a killed build (see :mod:`kb.store.build` for the protocol)."""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kb.store.files import TEMP_PREFIX
from kb.errors import KbError
from kb.store.layout import OUTPUTS


log = logging.getLogger("kb")


# ---------------------------------------------------------------- commit and recovery

STAGING, COMMIT, DONE, OLD = ".staging-", ".commit-", ".done-", ".old"


def _commit(staging: Path, out: Path) -> None:
    """Swap the staged outputs into ``out``; on any failure, put the previous ones back."""
    missing = [name for name in OUTPUTS if not (staging / name).exists()]
    if missing:  # the roll back takes a missing output for one already moved in
        raise KbError(f"{staging}: build incomplete, {', '.join(missing)} not written")
    commit = out / f"{COMMIT}{os.getpid()}"
    shutil.rmtree(commit, ignore_errors=True)
    os.replace(staging, commit)
    try:
        (commit / OLD).mkdir()
        for name in OUTPUTS:
            if (out / name).exists():
                os.replace(out / name, commit / OLD / name)
            os.replace(commit / name, out / name)
        done = out / f"{DONE}{os.getpid()}"
        os.replace(commit, done)  # the build is complete once this rename is done
    except BaseException:
        _roll_back(commit, out)
        raise
    shutil.rmtree(done, ignore_errors=True)


def _roll_back(commit: Path, out: Path) -> None:
    """Undo a partly done :func:`_commit`: every output as it was before it. Each
    step is a rename that leaves a state this function handles, so a roll back
    that is itself interrupted can be run again."""
    for name in OUTPUTS:
        new, old, target = commit / name, commit / OLD / name, out / name
        if not new.exists() and target.exists():  # the new output was moved into place
            os.replace(target, new)
        if old.exists():
            _move_in(old, target, commit)
    shutil.rmtree(commit, ignore_errors=True)


def _roll_forward(commit: Path, out: Path) -> None:
    """Finish a partly done :func:`_commit`: every new output still in ``commit`` moved into place."""
    for name in OUTPUTS:
        if (commit / name).exists():
            _move_in(commit / name, out / name, commit)
    shutil.rmtree(commit, ignore_errors=True)


def _fill_gaps(folder: Path, out: Path) -> None:
    """Put back each output missing from ``out`` from ``folder`` (its previous
    version first), leaving every output in place as it is."""
    for name in OUTPUTS:
        for source in (folder / OLD / name, folder / name):
            if not (out / name).exists() and source.exists():
                os.replace(source, out / name)
    shutil.rmtree(folder, ignore_errors=True)


def _move_in(source: Path, target: Path, commit: Path) -> None:
    """Rename ``source`` to ``target``, first moving what is in the way into
    ``commit`` (removed with it): renames only, so an interrupted move leaves
    both where a later recovery finds them."""
    if target.exists() or target.is_symlink():
        aside = commit / f".aside-{target.name}"
        shutil.rmtree(aside, ignore_errors=True)
        os.replace(target, aside)
    os.replace(source, target)


def _settle(commit: Path, out: Path) -> None:
    """Turn a killed build's ``commit`` folder into a complete build in ``out``:
    the previous one if every previous output can be put back, else the new
    one if every new output is there, else (a folder kb did not leave as it
    is) only the outputs missing from ``out``."""
    def previous_kept(name: str) -> bool:  # moved aside, or not yet replaced
        return (commit / OLD / name).exists() or ((commit / name).exists() and (out / name).exists())

    if all(previous_kept(name) for name in OUTPUTS):
        _roll_back(commit, out)
    elif all((commit / name).exists() or (out / name).exists() for name in OUTPUTS):
        _roll_forward(commit, out)
    else:
        _fill_gaps(commit, out)


def recover(out_dir: str | os.PathLike[str], *, wait: float | None = None) -> None:
    """Clean up after builds into ``out_dir`` that were killed (see the module
    docstring). Needs no write access when nothing is left over; otherwise
    takes the folder's lock, waiting for a build that holds it (``wait``
    seconds at most, default :data:`LOCK_WAIT`). An OSError becomes a
    one-line :class:`KbError`."""
    out = Path(out_dir)
    if not _leftovers(out):
        return
    try:
        with locked(out, wait=wait):
            _recover(out)
    except OSError as err:
        raise KbError(f"{err.filename or out}: cannot clean up after an interrupted build: "
                      f"{err.strerror or err}") from None


def _recover(out: Path) -> None:
    """Under the lock: every staging, commit or done folder is a dead build's."""
    for folder in _leftovers(out):
        if folder.is_file():  # a dead atomic_write's temporary file
            folder.unlink(missing_ok=True)
            continue
        if folder.name.startswith(COMMIT):
            _settle(folder, out)
        elif folder.name.startswith(DONE):  # complete: only a folder edited by hand has anything to give
            _fill_gaps(folder, out)
        shutil.rmtree(folder, ignore_errors=True)


def _leftovers(out: Path) -> list[Path]:
    """A dead build's folders, and its temporary files (``reviews.yaml`` is written last)."""
    try:
        found = [p for p in out.iterdir()
                 if (p.name.startswith((STAGING, COMMIT, DONE)) and p.is_dir() and not p.is_symlink())
                 or (p.name.startswith(TEMP_PREFIX) and p.name.endswith(".tmp") and p.is_file())]
    except (FileNotFoundError, NotADirectoryError):
        return []
    return sorted(found)


# ---------------------------------------------------------------- the lock

LOCK = ".lock"
LOCK_WAIT = 600.0  # seconds a build waits for another one into the same folder
_POLL = 0.1


@contextmanager
def locked(out: Path, *, wait: float | None = None) -> Iterator[None]:
    """Hold the exclusive lock of the output folder ``out`` (``out/.lock``),
    waiting ``wait`` seconds at most (default :data:`LOCK_WAIT`) for another
    process that holds it: it is named once on the ``kb`` logger, and a
    timeout is a one-line :class:`KbError`."""
    # The lock file stays: removing it would let a waiter lock the removed file
    # while a third process locks a new one.
    fd = os.open(out / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, out, LOCK_WAIT if wait is None else wait)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)  # who holds it, for those who wait
        yield
    finally:
        os.close(fd)  # releases the lock


def _acquire(fd: int, out: Path, wait: float) -> None:
    deadline, told = time.monotonic() + wait, False
    while not _try_lock(fd):
        holder = _holder(fd)
        if time.monotonic() >= deadline:
            raise KbError(f"{out}: {holder} is still writing this folder after {wait:g} s of waiting; "
                          "try again once it has finished")
        if not told:
            log.warning("kb: %s: %s is writing this folder; waiting for it to finish", out, holder)
            told = True
        time.sleep(_POLL)


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _holder(fd: int) -> str:
    pid = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    return f"another kb process (pid {pid})" if pid.isdigit() else "another kb process"
