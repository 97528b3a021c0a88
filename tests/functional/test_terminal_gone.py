"""The app leaves when its terminal goes without a hangup signal reaching it (a window closed
while it ran under make, say), instead of reading the dead terminal at full CPU for ever."""

from __future__ import annotations

import fcntl
import os
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path


def test_the_app_leaves_when_its_terminal_goes(tmp_path: Path) -> None:
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = {**os.environ, "SSCP_TUI_HOME": str(tmp_path), "TERM": "xterm-256color"}
    # A session of its own: the terminal is not its controlling one, so closing it sends no
    # hangup signal, as when make (or a wrapper) stands between the app and the terminal.
    app = subprocess.Popen([sys.executable, "-m", "sscp_tui", "--demo"], stdin=slave, stdout=slave,
                           stderr=slave, env=env, start_new_session=True)  # fmt: skip
    os.close(slave)
    seen = bytearray()

    def drain() -> None:  # read what the app paints, so that its writes never block
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                return
            if not data:
                return
            seen.extend(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        started = time.monotonic()
        while b"Dashboard" not in seen and time.monotonic() - started < 60:
            time.sleep(0.1)
        assert b"Dashboard" in seen, "the app did not start"
        os.close(master)  # the terminal goes
        gone = time.monotonic()
        app.wait(timeout=20)
        assert time.monotonic() - gone < 15
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()
