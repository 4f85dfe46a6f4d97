"""Where output goes and how it is written: naming, atomic replacement, no partial files; a
device or a pipe (``-o /dev/stdout``) written through, a symbolic link followed (atomic_write)."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import stat
import tempfile
import unicodedata
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from briefing.errors import ConfigError, InputError, LockedError, OutputError
from briefing.text.transliterate import to_latin

FORMATS = ("pdf", "html", "json")
DEFAULT_OUTPUT_DIR = Path("output")
_MAX_SLUG = 60


def slugify(text: str, max_length: int = _MAX_SLUG) -> str:
    """ASCII, lowercase, hyphenated; never contains a path separator or dot-segment.

    Cyrillic and Greek are transliterated (:mod:`briefing.text.transliterate`). Letters of
    other scripts (Han, kana, Arabic, Hebrew...) have no ASCII form here, so a title with
    any such letters ends in 8 hex digits of its SHA-256: two Chinese titles on one day no
    longer both become ``briefing`` and overwrite each other.
    """
    latin = to_latin(unicodedata.normalize("NFC", text))
    ascii_text = unicodedata.normalize("NFKD", latin).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0]
    if _dropped(latin):
        digest = hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:8]
        return f"{slug or 'briefing'}-{digest}"
    return slug or "briefing"


def _dropped(latin: str) -> str:
    """The letters of ``latin`` that NFKD-to-ASCII loses entirely (not accents: whole letters)."""
    return "".join(
        ch
        for ch in latin
        if ch.isalpha() and not unicodedata.normalize("NFKD", ch).encode("ascii", "ignore")
    )


def format_from_path(path: str | Path | None) -> str | None:
    """The format implied by an output file name's suffix, if it names one of ours."""
    if path is None:
        return None
    suffix = Path(path).suffix.lower().lstrip(".")
    return {"htm": "html"}.get(suffix, suffix) if suffix in (*FORMATS, "htm") else None


def choose_format(fmt: str | None, output: str | Path | None) -> str:
    """The format asked for, else the one the output name implies, else pdf.

    A file whose suffix names none of ours (``x.docx``) is refused unless the format is given:
    a PDF named x.docx opens in nothing, and the user meant something else.
    """
    if fmt is None and output is not None and not is_folder(output):
        suffix = Path(output).suffix
        if suffix and format_from_path(output) is None:
            names = ", ".join(f".{f}" for f in FORMATS[:-1]) + f" or .{FORMATS[-1]}"
            raise ConfigError(
                f"unknown output suffix {suffix!r} in {output}: name a {names} file, "
                "or give --format"
            )
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
    path = normal_path(Path(output))
    return path / default_name if is_folder(output) else path


def is_folder(output: str | Path) -> bool:
    """Whether ``-o output`` names a folder: one that exists, or a name ending in a separator."""
    return normal_path(Path(output)).is_dir() or str(output).endswith(("/", os.sep))


def normal_path(path: Path) -> Path:
    """``path`` without the ``name/..`` pairs that mean nothing, so that no folder is made on
    the way to a file: ``-o sub/../d.pdf`` is ``d.pdf``, and a run refused its lock leaves no
    ``sub/`` behind. A symlink's ``..`` is its target's parent: that pair is kept."""
    parts: list[str] = []
    for part in path.parts:
        if (
            part == ".."
            and parts
            and parts[-1] not in ("..", path.anchor)
            and not Path(*parts).is_symlink()
        ):
            parts.pop()
        else:
            parts.append(part)
    return Path(*parts) if parts else Path(".")


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


def stream_kind(path: Path) -> str | None:
    """ "device" or "pipe" when ``path`` (links followed) is a character device (a terminal,
    /dev/null, what /dev/stdout names) or a FIFO, which are written through, not replaced;
    None for anything else, or nothing at all."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return None
    if stat.S_ISCHR(mode):
        return "device"
    return "pipe" if stat.S_ISFIFO(mode) else None


def is_stream(path: Path) -> bool:
    """Whether ``path`` is written through as a stream (:func:`stream_kind`): no lock, no state
    file beside it, no temporary file, and no path printed after writing it."""
    return stream_kind(path) is not None


@contextlib.contextmanager
def run_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock for writing ``path``; another holder means LockedError (exit 5).

    The lock is ``flock`` on a hidden file beside the output, released by the kernel when the
    process ends however it ends (kill -9 included), so a crashed run never blocks the next.
    A device or a pipe (:func:`is_stream`) takes no lock: nothing is replaced there, and no
    file is made beside it (``-o /dev/stdout`` makes none in /dev).
    """
    import fcntl

    if is_stream(path):
        yield
        return
    lock_path = path.parent / f".{path.name}.lock"
    try:
        # A folder made here cannot hold another run's lock, so a refused lock leaves none
        # behind, provided the path names no folder it does not need (see normal_path).
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create folder {path.parent}: {os_error_reason(exc)}") from None
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise OutputError(f"cannot write {lock_path}: {os_error_reason(exc)}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "?"
            raise LockedError(
                f"another briefing run (pid {holder}) is writing {path}; not starting a second"
            ) from None
        try:  # the holder's pid, for the next run's message; a full disk fails here too
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode(), 0)
        except OSError as exc:
            raise OutputError(f"cannot write {lock_path}: {os_error_reason(exc)}") from None
        yield
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so readers see the old file or the new one, never a part.

    Temp file in the same folder, fsync, ``os.replace``, fsync of the folder. On any failure
    the temp file is removed and an existing file at ``path`` is left untouched.

    What ``path`` names decides how (``build`` and ``daily`` alike):

    * a character device or a FIFO (``-o /dev/stdout``, ``/dev/null``, a named pipe), links
      followed: written through, as a shell redirection would; never replaced by a file;
    * a symbolic link to a file (or to a name not yet made): followed deliberately: its
      target is replaced atomically, in the target's folder, and the link stays a link;
    * a folder, a socket or a block device: refused (OutputError).
    """
    try:
        mode: int | None = os.stat(path).st_mode  # links followed
    except FileNotFoundError:
        mode = None  # nothing there yet, or a link to a name not yet made
    except OSError as exc:  # a loop of links, a folder we may not enter
        raise OutputError(f"cannot write {path}: {os_error_reason(exc)}") from None
    if mode is not None and (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):
        _write_through(path, data)
        return
    if mode is not None and stat.S_ISDIR(mode):
        raise OutputError(f"cannot write {path}: it is a folder")
    if mode is not None and not stat.S_ISREG(mode):
        raise OutputError(
            f"cannot write {path}: only a regular file, a character device or a pipe can be written"
        )
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create folder {folder}: {os_error_reason(exc)}") from None
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
        raise OutputError(f"cannot write {path}: {os_error_reason(exc)}") from None
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)


def _write_through(path: Path, data: bytes) -> None:
    """``data`` down a device or a pipe, opened for writing as it is (not truncated, not
    replaced); a pipe with no reader yet waits for one, as ``cat > fifo`` does."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_NOCTTY)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
    except BrokenPipeError:
        raise OutputError(f"cannot write {path}: the reader went away") from None
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {os_error_reason(exc)}") from None


def _fsync_dir(folder: Path) -> None:
    # Makes the rename durable; not possible on every platform/file system, so best effort.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def os_error_reason(exc: OSError) -> str:
    """Why an OSError happened, in a few words for an error line: "no space left on device"."""
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "permission denied" if exc.errno != errno.EROFS else "read-only file system"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "no space left on device"
    return (exc.strerror or type(exc).__name__).lower()
