"""The PDF formats' browser is started once per process, in a thread of its own, and can be
started ahead of printing; any thread may print with it; it is closed when the process exits,
also a forked pool worker (which skips ``atexit``), and no browser process is left behind."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from equitykit.report import chromium_available

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not chromium_available(), reason="Chromium is not installed"),
]

ROOT = Path(__file__).resolve().parents[1]

_DESCENDANTS = """
import os
from pathlib import Path

def descendants(pid, depth=None):
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [(pid, 0)]
    while todo:
        parent, level = todo.pop()
        if depth is not None and level == depth:
            continue
        for child in parents.get(parent, []):
            found.append(child)
            todo.append((child, level + 1))
    return found
"""


def _run(script: str) -> dict:
    done = subprocess.run([sys.executable, "-c", _DESCENDANTS + textwrap.dedent(script)],
                          capture_output=True, text=True, timeout=300, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _alive(pids: list[int], wait: float = 10.0) -> list[str]:
    """The processes of ``pids`` still running after ``wait`` seconds (Chromium's crash
    handlers end a moment after the browser)."""
    end = time.monotonic() + wait
    while True:
        alive = []
        for pid in pids:
            with contextlib.suppress(OSError):
                stat = Path(f"/proc/{pid}/stat").read_text()
                if stat.rsplit(")", 1)[1].split()[0] != "Z":
                    alive.append(stat)
        if not alive or time.monotonic() > end:
            return alive
        time.sleep(0.2)


def test_one_browser_per_process_printing_from_any_thread_and_closed_at_exit():
    seen = _run("""
        import json, threading
        from equitykit.report import _browser

        _browser.start_browser()  # returns at once; Chromium starts in the browser's thread
        first = _browser.print_pdf("<p>one</p>")
        processes = sorted(descendants(os.getpid()))
        browser = sorted(descendants(os.getpid(), depth=2))  # the driver and the browser
        printed = []
        other = threading.Thread(target=lambda: printed.append(_browser.print_pdf("<p>two</p>")))
        other.start()
        other.join()
        threads = [t.name for t in threading.enumerate()]
        print(json.dumps({"pdfs": [first[:5].decode(), printed[0][:5].decode()],
                          "processes": processes, "browser": browser,
                          "after": sorted(descendants(os.getpid(), depth=2)),
                          "threads": threads}))
    """)
    assert seen["pdfs"] == ["%PDF-", "%PDF-"]
    assert len(seen["browser"]) >= 2, "the browser runs as this process's descendants"
    assert seen["after"] == seen["browser"], "the second page used the same browser"
    assert seen["threads"].count("equitykit-browser") == 1
    assert not _alive(seen["processes"]), "the browser is closed when the process exits"


def test_a_forked_pool_worker_closes_its_browser_when_it_exits():
    seen = _run("""
        import json, multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        from equitykit.report import _browser

        def district(_):
            _browser.start_browser()
            _browser.print_pdf("<p>district</p>")
            me = os.getpid()
            return me, sorted(descendants(me, depth=2)), sorted(descendants(me))

        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
            (worker, first, every), (again, second, _) = pool.map(district, [1, 2])
        print(json.dumps({"same_worker": worker == again, "first": first, "second": second,
                          "every": every}))
    """)
    assert seen["same_worker"] and seen["first"] == seen["second"], "one browser per worker"
    assert len(seen["first"]) >= 2 and not _alive(seen["every"]), "closed when the worker exited"


def test_a_failed_page_closes_the_browser_and_the_next_page_starts_a_new_one(monkeypatch):
    from equitykit.report import ConversionError, _browser

    monkeypatch.setattr(_browser, "_BROWSER", None)
    assert _browser.print_pdf("<p>x</p>").startswith(b"%PDF-")
    browser = _browser._current()
    with pytest.raises(ConversionError, match="Chromium could not print the PDF"):
        _browser.print_pdf("<p>x</p>", format="no such paper")
    assert browser.closed and not browser._thread.is_alive()
    assert _browser.print_pdf("<p>y</p>").startswith(b"%PDF-")
    assert _browser._current() is not browser
    _browser._current().close()
