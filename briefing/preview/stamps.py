"""What the live preview watches: the stamps of its input files.

A stamp is (mtime_ns, size, inode), so an editor's save is seen whether it rewrites the file or
replaces it (a rename-save changes the inode); a missing file has the stamp None.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

from briefing.summarisers import Summariser

__all__ = ["Stamp", "prompt_files_of", "snapshot"]

Stamp = tuple[int, int, int]  # (mtime_ns, size, inode): an editor's rename-save changes the inode
_SKIPPED_NAMES = re.compile(r"^\.|~$|\.sw[a-p]$")  # hidden files, editor backups and swap files


def prompt_files_of(summariser: Summariser) -> list[Path]:
    """The prompt file a summariser uses, when it has one (the openai summariser)."""
    prompt = getattr(summariser, "prompt", None)
    path = getattr(prompt, "path", None)
    return [Path(path)] if isinstance(path, str | os.PathLike) else []


def _stamp(path: Path) -> Stamp | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def snapshot(files: Iterable[Path], dirs: Iterable[Path]) -> dict[str, Stamp | None]:
    """Stamps of ``files`` and of every file below ``dirs`` (None: missing)."""
    stamps: dict[str, Stamp | None] = {str(f): _stamp(f) for f in files}
    for folder in dirs:
        stamps[f"{folder}/"] = _stamp(folder)
        for root, subdirs, names in os.walk(folder):
            subdirs[:] = sorted(d for d in subdirs if d != "__pycache__" and not d.startswith("."))
            for name in names:
                if not _SKIPPED_NAMES.search(name):
                    path = Path(root) / name
                    stamps[str(path)] = _stamp(path)
    return stamps
