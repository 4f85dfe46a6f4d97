"""Open a page in the desktop's browser, quietly, or tell the caller there is none.

``click.launch`` runs ``xdg-open`` with our stderr and without waiting: on a machine without a
browser (a server over SSH, a container) the user got seven lines of xdg-open's complaints
and no word from us. Here the opener's output goes nowhere, and a failure is a False the
command turns into one line ("open URL in your browser").
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading

import click

__all__ = ["open_in_browser", "open_or_say"]

# xdg-open fails within this when it finds no browser; a browser that starts takes longer and
# may keep xdg-open waiting until it closes, so a longer run counts as opened.
QUICK_FAILURE_SECONDS = 1.5


def opener_command(target: str) -> list[str] | None:
    """The command that shows ``target`` (URL or file) in the browser, or None when there is
    no graphical session to show it in.

    Without DISPLAY or WAYLAND_DISPLAY, xdg-open could only complain, or start a text browser
    in our terminal (in front of the server's Ctrl-C), so it is not tried.
    """
    if sys.platform == "darwin":
        return ["open", target]
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return None
    opener = shutil.which("xdg-open")
    return [opener, target] if opener else None


def open_in_browser(target: str) -> bool:
    """Show ``target`` (a URL or a file path) in the default browser; False if it could not."""
    if sys.platform == "win32":
        try:
            os.startfile(target)  # type: ignore[attr-defined]  # Windows only
        except OSError:
            return False
        return True
    command = opener_command(target)
    if command is None:
        return False
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C on the preview server is not the browser's
        )
    except OSError:
        return False
    try:
        return process.wait(QUICK_FAILURE_SECONDS) == 0
    except subprocess.TimeoutExpired:
        # Still starting the browser: it found one. Reap it whenever it ends.
        threading.Thread(target=process.wait, name="briefing-browser", daemon=True).start()
        return True


def open_or_say(target: str) -> None:
    """Open ``target`` in the browser, or say on stderr, in one line, where to point one."""
    if not open_in_browser(target):
        click.echo(f"open {target} in your browser", err=True)
