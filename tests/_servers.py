"""Local servers (Voilà, JupyterLab) and Debian's Chromium for the browser tests."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
NO_CHROMIUM = ("Debian's Chromium is not installed at /usr/bin/chromium "
               "(apt-get install -y chromium)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(command: Sequence[str], port: int, log: Path, *, env: dict | None = None,
            cwd: Path | None = None, start_timeout: float = 120) -> Iterator[str]:
    """Run ``command`` until the block ends; yields ``http://127.0.0.1:<port>/`` once the port
    accepts connections. Fails with the server's log when it exits or never listens."""
    with log.open("w") as out:
        # Its own process group: `equitykit explore` runs JupyterLab or Voilà as a child,
        # which runs kernels; stopping the group stops them all.
        server = subprocess.Popen(list(command), env=env, cwd=cwd, stdout=out,
                                  stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + start_timeout
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=2).close()
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise AssertionError(f"{command[0]} did not start:\n{log.read_text()}"
                                             ) from None
                    time.sleep(0.5)
            yield f"http://127.0.0.1:{port}/"
        finally:
            _signal_group(server, signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                _signal_group(server, signal.SIGKILL)
                server.wait()
            time.sleep(1)  # the children stop after the command itself
            _signal_group(server, signal.SIGKILL)


def _signal_group(server: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(server.pid, sig)
