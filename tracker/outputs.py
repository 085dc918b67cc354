"""Files the tracker writes: whole or not at all, owner-only, never over the database.

Every file the tracker writes for the user - ``--out`` of ``export ics|json`` and
``letter``, ``backup``'s copy, ``demo --keep``, a new database built by ``import json`` -
goes through :func:`staging` (or :func:`write_file`, its one-call form):

1. the target is checked (:func:`output_target`): a regular file or a new name in an
   existing folder; not a folder, FIFO, socket or device (``/dev/null`` is written to
   as it is); not the database this process opened nor its ``-wal``/``-shm``/``-journal``
   files, compared by file identity (device and inode: hard links and symlinks included)
   as well as by resolved path;
2. the data goes to a temporary file in the target's folder, created ``0600`` and named
   :data:`TEMP_PREFIX` ``<pid>-<random>`` so the tracker recognises its own;
3. the temporary file is flushed and fsynced, renamed over the target (or linked to a new
   name, when replacing is not allowed), and the folder is fsynced.

On any failure - a full disk, an I/O error, an exception of the caller, SIGTERM, SIGINT or
SIGHUP - the temporary file (and any ``-journal``/``-wal``/``-shm`` SQLite left beside it)
is removed and the old target is untouched. A process killed with SIGKILL cannot clean up:
the next write into the same folder removes temporary files of ours whose process is no
longer alive (:func:`clean_leftovers`), never anything else.

Errors: :class:`tracker.errors.InputError` (exit status 2) naming the option (``field``),
the path and the reason, e.g. ``--out: '/mnt/full/b.json' is not valid; a file that can be
written there (No space left on device); the file was left as it was``.
"""

from __future__ import annotations

import errno
import os
import re
import signal
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tracker.errors import InputError, UsageError

#: Start of the name of every temporary file the tracker creates beside a target.
TEMP_PREFIX = ".tracker-tmp-"

_TEMP_NAME = re.compile(re.escape(TEMP_PREFIX) + r"(\d+)-[0-9a-f]+")

#: What SQLite keeps next to a database file.
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")

#: The SQLite databases the running command opened (resolved paths): outputs never go over
#: them. Emptied when a command starts (:func:`forget_databases`), so that one process
#: running several commands (a test, a script calling the CLI) checks each against its own.
_DATABASES: set[Path] = set()


# --- the database and its side files ----------------------------------------------------


def sqlite_family(path: Path) -> set[Path]:
    """A SQLite database file and its -wal, -shm and -journal files, resolved (symlinks followed)."""
    base = Path(os.path.realpath(Path(path).expanduser()))
    return {base} | {Path(f"{base}{suffix}") for suffix in SQLITE_SIDE_FILES}


def forget_databases() -> None:
    """Start a new command: no database is open yet (see :data:`_DATABASES`)."""
    _DATABASES.clear()


def protect_database(path: Path) -> None:
    """Record that ``path`` is a database this process opened: no output may be written over
    it or its -wal/-shm/-journal files (called by :func:`tracker.db.make_engine`)."""
    _DATABASES.add(Path(os.path.realpath(Path(path).expanduser())))


def is_database_file(path: Path, databases: set[Path] | None = None) -> bool:
    """Whether ``path`` is one of ``databases`` (default: those this process opened) or one of
    their -wal/-shm/-journal files: the same resolved path, or the same file (device and
    inode), so a hard link or a symlink to the database counts as the database.

    Args:
        path: a path that may or may not exist.
        databases: database files to compare with.
    """
    path = Path(path).expanduser()
    try:
        st = os.stat(path)
    except OSError:
        st = None
    resolved = Path(os.path.realpath(path))
    for base in _DATABASES if databases is None else {Path(os.path.realpath(d)) for d in databases}:
        for member in sqlite_family(base):
            if member == resolved:
                return True
            if st is None:
                continue
            try:
                other = os.stat(member)
            except OSError:
                continue
            if (other.st_dev, other.st_ino) == (st.st_dev, st.st_ino):
                return True
    return False


# --- the target ---------------------------------------------------------------------------


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def is_devnull(path: Path) -> bool:
    """Whether ``path`` is the null device (written to as it is: nothing to replace)."""
    try:
        return os.path.samefile(path, os.devnull)
    except OSError:
        return False


def output_target(path: Path, field: str = "--out", databases: set[Path] | None = None) -> Path:
    """The file to replace when writing to ``path``: ``path`` itself, or the file a symlink
    points to (the link is kept). ``/dev/null`` is returned as it is.

    Raises:
        InputError: ``path`` is a folder, a FIFO, a socket or a device; a symlink loop or
            another unusable path; a file in a folder that does not exist; the database
            or one of its side files (``databases``, default: those this process opened).
    """
    path = Path(path).expanduser()
    if is_devnull(path):
        return path
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None  # a new name (or a symlink to one)
    except OSError as exc:  # a symlink loop, a name too long, a file used as a folder, no permission
        raise InputError(field, str(path), f"a path that can be used ({exc.strerror})") from None
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise InputError(field, str(path), f"a regular file or a new file name, not {_kind(st.st_mode)}")
    if is_database_file(path, databases):
        raise InputError(field, str(path), "a file other than the database and its -wal/-shm/-journal files")
    target = Path(os.path.realpath(path))
    if not target.parent.is_dir():
        raise InputError(field, str(path), f"a file in an existing folder ({path.parent} does not exist)")
    return target


# --- temporary files: registered, removed on failure and on signals ------------------------

_LIVE: dict[Path, None] = {}
_PREVIOUS_HANDLERS: dict[int, Any] = {}
_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGINT", "SIGHUP") if hasattr(signal, name))


def _remove(tmp: Path) -> None:
    for suffix in ("", *SQLITE_SIDE_FILES):
        try:
            os.unlink(f"{tmp}{suffix}")
        except OSError:
            pass


def _on_signal(signum: int, frame: Any) -> None:
    """Remove every live temporary file, then stop as the signal asks (SIGINT:
    KeyboardInterrupt; SIGTERM, SIGHUP: exit status 128 + signal number), so the command's
    transaction is rolled back on the way out."""
    for tmp in list(_LIVE):
        _remove(tmp)
    _LIVE.clear()
    _restore_handlers()
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise SystemExit(128 + signum)


def _install_handlers() -> None:
    if _PREVIOUS_HANDLERS or threading.current_thread() is not threading.main_thread():
        return
    for signum in _SIGNALS:
        try:
            _PREVIOUS_HANDLERS[signum] = signal.signal(signum, _on_signal)
        except (OSError, ValueError):
            pass


def _restore_handlers() -> None:
    for signum, previous in list(_PREVIOUS_HANDLERS.items()):
        try:
            signal.signal(signum, previous if previous is not None else signal.SIG_DFL)
        except (OSError, ValueError):
            pass
    _PREVIOUS_HANDLERS.clear()


def _register(tmp: Path) -> None:
    if not _LIVE:
        _install_handlers()
    _LIVE[tmp] = None


def _unregister(tmp: Path) -> None:
    _LIVE.pop(tmp, None)
    if not _LIVE:
        _restore_handlers()


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: alive, another user's
        return True
    return True


def clean_leftovers(folder: Path) -> list[Path]:
    """Remove the temporary files of tracker processes that died without cleaning up
    (SIGKILL, a power cut) from ``folder``: only names starting with :data:`TEMP_PREFIX`
    whose process id is not alive, and their SQLite side files. Returns what was removed
    (POSIX only; elsewhere nothing is removed)."""
    if os.name != "posix":
        return []
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    for name in names:
        match = _TEMP_NAME.match(name)
        if match is None or _pid_alive(int(match.group(1))):
            continue
        item = Path(folder) / name
        try:
            if stat.S_ISREG(os.lstat(item).st_mode):
                os.unlink(item)
                removed.append(item)
        except OSError:
            pass
    return removed


def temp_path(folder: Path) -> Path:
    """A fresh name for a temporary file of this process in ``folder`` (not created)."""
    import secrets  # here, not at the top: its hashing modules cost every command ~6 ms

    return Path(folder) / f"{TEMP_PREFIX}{os.getpid()}-{secrets.token_hex(6)}"


def _fsync_folder(folder: Path) -> None:
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_NO_ROOM = frozenset(getattr(errno, n) for n in ("ENOSPC", "EDQUOT", "EFBIG") if hasattr(errno, n))


def _cannot_write(field: str, path: Path, exc: OSError) -> InputError:
    reason = exc.strerror or type(exc).__name__
    if exc.errno in (errno.EACCES, errno.EPERM):
        accepted = f"a file in a folder you may write ({reason})"
    elif exc.errno in _NO_ROOM:
        accepted = f"a file on a disk with room for it ({reason})"
    else:
        accepted = f"a file that can be written there ({reason})"
    return InputError(field, str(path), f"{accepted}; the file was left as it was")


class Staged:
    """An output being written: a temporary file beside the target (see :func:`staging`).

    Attributes:
        target: the file that will be replaced (or created).
        tmp: the temporary file (``None`` for ``/dev/null``); SQLite may write it by path.
        field: the option named in errors (``--out``, ``PATH``, ``--keep``).
    """

    def __init__(self, path: Path, field: str, overwrite: bool, databases: set[Path] | None):
        self.shown = Path(path)
        self.field = field
        self.overwrite = overwrite
        self.target = output_target(path, field, databases)
        self.published = False
        self.discarded = False
        self._fd: int | None = None
        if is_devnull(self.target):
            self.tmp = None
            return
        if not overwrite and os.path.lexists(self.target):
            raise UsageError(f"{path} already exists; name a new file")
        clean_leftovers(self.target.parent)
        self.tmp = temp_path(self.target.parent)
        try:
            self._fd = os.open(self.tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except OSError as exc:
            raise _cannot_write(field, self.shown, exc) from None
        _register(self.tmp)
        try:
            os.fchmod(self._fd, 0o600)  # whatever the umask or the folder's default ACL
        except (OSError, AttributeError):
            pass

    def write(self, data: str | bytes) -> None:
        """Append ``data`` (text is written as UTF-8) to the temporary file.

        Raises:
            InputError: the disk is full or the write failed (the temporary file is removed).
        """
        raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        if self.tmp is None:  # /dev/null
            return
        if self._fd is None:
            self._fd = os.open(self.tmp, os.O_WRONLY | os.O_APPEND)
        view = memoryview(raw)
        try:
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
        except OSError as exc:
            self.discard()
            raise _cannot_write(self.field, self.shown, exc) from None

    def close_file(self) -> None:
        """Close the temporary file's descriptor (before another library writes it by path)."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)

    def publish(self) -> None:
        """fsync the temporary file, put it in place of the target, fsync the folder.

        Without ``overwrite`` the file is linked to the new name, which fails if the name
        appeared meanwhile (never replaces a file).

        Raises:
            InputError: fsync or rename failed (the temporary file is removed, the target
                is as it was).
            UsageError: without ``overwrite``, the target appeared meanwhile.
        """
        if self.published or self.discarded:
            return
        if self.tmp is None:
            self.published = True
            return
        try:
            if self._fd is None:
                self._fd = os.open(self.tmp, os.O_RDONLY)
            os.fsync(self._fd)
            self.close_file()
            if self.overwrite:
                os.replace(self.tmp, self.target)
            else:
                try:
                    os.link(self.tmp, self.target)  # fails if the name exists: never overwrites
                except FileExistsError:
                    raise UsageError(f"{self.shown} already exists; name a new file") from None
                except OSError as exc:
                    if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                        raise
                    if os.path.lexists(self.target):  # no hard links on this file system
                        raise UsageError(f"{self.shown} already exists; name a new file") from None
                    os.replace(self.tmp, self.target)
                _remove(self.tmp)
            self.published = True
            _unregister(self.tmp)
            _fsync_folder(self.target.parent)
        except OSError as exc:
            if not self.published:
                self.discard()
                raise _cannot_write(self.field, self.shown, exc) from None
            # renamed, but the folder could not be fsynced: the file is there
        except BaseException:
            if not self.published:
                self.discard()
            raise

    def discard(self) -> None:
        """Remove the temporary file (and SQLite's side files of it); the target is untouched."""
        if self._fd is not None:
            try:
                self.close_file()
            except OSError:
                self._fd = None
        if self.tmp is not None and not self.published and not self.discarded:
            _remove(self.tmp)
            _unregister(self.tmp)
        self.discarded = not self.published


@contextmanager
def staging(
    path: Path, field: str = "--out", overwrite: bool = True, databases: set[Path] | None = None
) -> Iterator[Staged]:
    """Write a file atomically: ``with staging(path) as out: out.write(data)``.

    The block writes the temporary file (``out.write``, or a library writing ``out.tmp`` by
    path after ``out.close_file()``); when the block ends normally the file is put in place
    (:meth:`Staged.publish`); when it raises, or a signal stops the process, the temporary
    file is removed and the target is as it was.

    Args:
        path: the target as the user typed it.
        field: the option or argument named in errors.
        overwrite: replace an existing file (else refuse it: UsageError).
        databases: database files to refuse besides those this process opened.

    Raises:
        InputError: see :func:`output_target` and :meth:`Staged.write`.
        UsageError: ``path`` exists and ``overwrite`` is false.
    """
    staged = Staged(path, field, overwrite, databases)
    try:
        yield staged
        staged.publish()
    finally:
        staged.discard()


def write_file(path: Path, data: str | bytes, field: str = "--out", overwrite: bool = True) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` atomically, owner-only (see :func:`staging`).

    Returns:
        The file written (symlinks resolved).
    """
    with staging(path, field, overwrite) as out:
        out.write(data)
    return out.target


__all__ = [
    "SQLITE_SIDE_FILES", "Staged", "TEMP_PREFIX", "clean_leftovers", "is_database_file", "is_devnull",
    "forget_databases", "output_target", "protect_database", "sqlite_family", "staging", "temp_path", "write_file",
]  # fmt: skip
