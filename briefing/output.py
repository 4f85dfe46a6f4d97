"""Where output goes and how it is written: naming, atomic replacement, no partial files."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from briefing.errors import ConfigError, InputError, LockedError, OutputError

FORMATS = ("pdf", "html", "json")
DEFAULT_OUTPUT_DIR = Path("output")
_MAX_SLUG = 60


def slugify(text: str, max_length: int = _MAX_SLUG) -> str:
    """ASCII, lowercase, hyphenated; never contains a path separator or dot-segment."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0]
    return slug or "briefing"


def format_from_path(path: str | Path | None) -> str | None:
    """The format implied by an output file name's suffix, if it names one of ours."""
    if path is None:
        return None
    suffix = Path(path).suffix.lower().lstrip(".")
    return {"htm": "html"}.get(suffix, suffix) if suffix in (*FORMATS, "htm") else None


def choose_format(fmt: str | None, output: str | Path | None) -> str:
    """The format asked for, else the one the output name implies, else pdf."""
    chosen = fmt or format_from_path(output) or "pdf"
    if chosen not in FORMATS:
        raise ConfigError(f"unknown format {chosen!r} (choose from: {', '.join(FORMATS)})")
    return chosen


def output_path(output: str | Path | None, default_name: str) -> Path:
    """The file to write: ``output`` itself, or ``default_name`` inside it when it is a folder.

    ``output`` is a folder when it exists as one or ends with a separator; None means the
    default ``output/`` folder under the current directory. One rule for a briefing and a
    digest, so ``-o`` means the same to ``build`` and ``daily``.
    """
    if output is None:
        return DEFAULT_OUTPUT_DIR / default_name
    if Path(output).is_dir() or str(output).endswith(("/", os.sep)):
        return Path(output) / default_name
    return Path(output)


def briefing_file_name(title: str, fmt: str, day: date) -> str:
    """The default name of a briefing: ``<YYYY-MM-DD>-<slug of the title>.<fmt>``."""
    return f"{day.isoformat()}-{slugify(title)}.{fmt}"


def digest_file_name(day: date, fmt: str) -> str:
    """The default name of a daily digest: ``briefing-<YYYY-MM-DD>.<fmt>``."""
    return f"briefing-{day.isoformat()}.{fmt}"


def resolve_output(
    output: str | Path | None, *, title: str, fmt: str, day: date, source: Path | None = None
) -> Path:
    """The file to write for one briefing: ``output`` itself, or
    ``<dir>/<YYYY-MM-DD>-<slug>.<fmt>`` (see :func:`output_path`); never ``source`` itself."""
    target = output_path(output, briefing_file_name(title, fmt, day))
    if source is not None and target.exists() and _same_file(target, source):
        raise InputError(f"refusing to overwrite the article itself: {target}")
    return target


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


@contextlib.contextmanager
def run_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock for writing ``path``; another holder means LockedError (exit 5).

    The lock is ``flock`` on a hidden file beside the output, released by the kernel when the
    process ends however it ends (kill -9 included), so a crashed run never blocks the next.
    """
    import fcntl

    lock_path = path.parent / f".{path.name}.lock"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise OutputError(f"cannot create lock file {lock_path}: {_reason(exc)}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "?"
            raise LockedError(
                f"another briefing run (pid {holder}) is writing {path}; not starting a second"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so readers see the old file or the new one, never a part.

    Temp file in the same folder, fsync, ``os.replace``, fsync of the folder. On any failure
    the temp file is removed and an existing file at ``path`` is left untouched.
    """
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create folder {folder}: {_reason(exc)}") from None
    if path.is_dir():
        raise OutputError(f"cannot write {path}: it is a folder")
    tmp_name: str | None = None
    try:
        fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp makes the file private; give it the permissions a normal file would get.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_name, 0o666 & ~umask)
        os.replace(tmp_name, path)
        tmp_name = None
        _fsync_dir(folder)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {_reason(exc)}") from None
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)


def _fsync_dir(folder: Path) -> None:
    # Makes the rename durable; not possible on every platform/file system, so best effort.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _reason(exc: OSError) -> str:
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "permission denied" if exc.errno != errno.EROFS else "read-only file system"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "no space left on device"
    return (exc.strerror or type(exc).__name__).lower()
