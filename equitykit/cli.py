"""The ``equitykit`` command (docs/outputs.md).

Exit status: 0 all good, 1 data or config problem (or a file that cannot be read or written),
2 usage error (including an output folder that is a file, cannot be written, or is in use by
another ``audit`` or ``batch``), 3 some districts failed in a batch; 130 after Ctrl-C and 143
after SIGTERM (a stopped batch keeps the districts that finished: rerun with ``--resume``).
Errors are printed as sentences, never tracebacks.
"""

from __future__ import annotations

import argparse
import math
import re
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from . import __version__
from .errors import EquitykitError

__all__ = ["main"]

#: A Dask scheduler address: ``tcp://host:port`` (or tls, ws, wss, ucx), or ``host:port``.
_SCHEDULER = re.compile(r"((tcp|tls|ws|wss|ucx)://)?([\w.-]+|\[[0-9A-Fa-f:.]+\]):\d{1,5}")
_YEARS = (1900, 2200)
FORMAT_HELP = ("report formats, separated by commas: html (always written), pdf, docx, brief; "
               "default: the config's report.formats, else html")
BY_SCHOOL_HELP = ("also write a report per school (its groups, its within-school gaps, its place "
                  "among the district's schools) into <district>/schools/")
NEW_NOTEBOOK = ("wrote {path}, a copy of the audit notebook: edit it in JupyterLab, then run it "
                "with equitykit audit DATA --district ID --out DIR --notebook {path}")


def _integer(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` (to ``high``)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < low or (high is not None and value > high):
            limit = f"from {low} to {high}" if high is not None else f"at least {low}"
            raise argparse.ArgumentTypeError(f"must be {limit}, got {value}")
        return value

    return parse


#: The longest --timeout accepted: one week per district (the system timer's range is finite).
MAX_TIMEOUT = 7 * 24 * 3600


def _seconds(text: str) -> float:
    """An argparse type: a finite, positive number of seconds, at most one week."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text!r}")
    if value > MAX_TIMEOUT:
        raise argparse.ArgumentTypeError(
            f"must be at most {MAX_TIMEOUT} seconds (one week), got {text!r}")
    return value


def _district_ids(text: str) -> list[str]:
    """An argparse type: comma-separated district ids, at least one."""
    ids = [d.strip() for d in text.split(",") if d.strip()]
    if not ids:
        raise argparse.ArgumentTypeError("no district ids given; separate ids with commas, "
                                         "e.g. --districts D01,D02")
    return ids


def _folder(text: str) -> Path:
    """An argparse type: a folder path, not empty."""
    if not text.strip():
        raise argparse.ArgumentTypeError("expected a folder, got an empty name")
    return Path(text)


def _formats(text: str) -> tuple[str, ...]:
    """An argparse type: report formats separated by commas (``html,pdf,docx,brief``)."""
    from ._format_names import parse_formats

    try:
        return parse_formats(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _scheduler(text: str) -> str:
    """An argparse type: a Dask scheduler address."""
    if not _SCHEDULER.fullmatch(text.strip()):
        raise argparse.ArgumentTypeError(
            f"expected a Dask scheduler address such as tcp://10.0.0.5:8786, got {text!r}")
    return text.strip()


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="equitykit",
        description="K-12 equity audits: validate district data, audit one district or many.",
    )
    p.add_argument("--version", action="version", version=f"equitykit {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser("demo", help="audit every district in the shipped sample data")
    demo.add_argument("--out", type=_folder, default=Path("equitykit-demo"), help="output folder")
    demo.add_argument("--workers", type=_integer(1), default=None,
                      help="parallel worker processes")
    demo.add_argument("--config", type=Path, default=None,
                      help="a client config, e.g. examples/sample_goals.yml (goals)")

    val = sub.add_parser("validate", help="check a data folder; exit 0 when usable, 1 if not")
    val.add_argument("data", type=Path)
    val.add_argument("--config", type=Path)

    aud = sub.add_parser("audit", help="audit one district")
    aud.add_argument("data", type=Path)
    aud.add_argument("--district", required=True)
    aud.add_argument("--out", type=_folder, required=True)
    aud.add_argument("--config", type=Path)
    aud.add_argument("--school-year", type=_integer(*_YEARS), default=None)
    aud.add_argument("--notebook", type=Path, default=None,
                     help="a client's customised audit notebook (see new-notebook)")
    aud.add_argument("--format", dest="formats", type=_formats, default=None,
                     help=FORMAT_HELP)
    aud.add_argument("--by-school", action="store_true", help=BY_SCHOOL_HELP)

    bat = sub.add_parser("batch", help="audit every district (or those named) in parallel")
    bat.add_argument("data", type=Path)
    bat.add_argument("--out", type=_folder, required=True)
    bat.add_argument("--config", type=Path)
    bat.add_argument("--workers", type=_integer(1), default=None)
    bat.add_argument("--scheduler", type=_scheduler, default=None,
                     help="Dask scheduler address, tcp://host:8786")
    bat.add_argument("--resume", action="store_true", help="skip districts already complete")
    bat.add_argument("--districts", type=_district_ids, default=None,
                     help="comma-separated district ids")
    bat.add_argument("--timeout", type=_seconds, default=1800, help="seconds per district")
    bat.add_argument("--notebook", type=Path, default=None,
                     help="a client's customised audit notebook (see new-notebook)")
    bat.add_argument("--format", dest="formats", type=_formats, default=None,
                     help=FORMAT_HELP)
    bat.add_argument("--by-school", action="store_true", help=BY_SCHOOL_HELP)

    new = sub.add_parser("new-notebook", help="start a client's audit notebook: a copy of the "
                         "shipped one to edit in JupyterLab, then run with --notebook")
    new.add_argument("path", type=Path, help="the new notebook, e.g. client_audit.ipynb")

    exp = sub.add_parser("explore", help="open the interactive explorer for training sessions")
    exp.add_argument("data", type=Path, nargs="?")
    exp.add_argument("--app", action="store_true", help="serve as a Voila app")
    exp.add_argument("--port", type=_integer(1, 65535), default=8866,
                     help="port of the local server")
    exp.add_argument("--no-browser", dest="open_browser", action="store_false",
                     help="start the server without opening a browser tab")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return int(exc.code or 0)
    try:
        return _dispatch(args)
    except EquitykitError as exc:
        print(f"equitykit: {exc}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:  # a file that cannot be read or written, a full disk
        where = f": {exc.filename}" if exc.filename else ""
        print(f"equitykit: {(exc.strerror or str(exc)).lower()}{where}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM during audit or batch
        code = getattr(exc, "exit_code", 128 + signal.SIGINT)
        print(f"equitykit: stopped by {signal.Signals(code - 128).name}", file=sys.stderr)
        return code


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "validate":
        from .intake import validate_command

        return validate_command(args.data, config_path=args.config)
    if args.command == "audit":
        from .execute import audit_command

        return audit_command(
            args.data, district_id=args.district, out_dir=args.out,
            config_path=args.config, school_year=args.school_year, notebook=args.notebook,
            formats=args.formats, by_school=args.by_school,
        )
    if args.command == "batch":
        from .execute import batch_command

        return batch_command(
            args.data, out_dir=args.out, config_path=args.config, workers=args.workers,
            scheduler=args.scheduler, resume=args.resume, districts=args.districts,
            timeout=args.timeout, notebook=args.notebook, formats=args.formats,
            by_school=args.by_school,
        )
    if args.command == "demo":
        from .execute import demo_command

        return demo_command(out_dir=args.out, workers=args.workers, config_path=args.config)
    if args.command == "new-notebook":
        from ._notebooks import new_notebook

        path = new_notebook(args.path)
        print(NEW_NOTEBOOK.format(path=path))
        return 0
    if args.command == "explore":
        from .widgets import explore_command

        return explore_command(args.data, app=args.app, port=args.port,
                               open_browser=args.open_browser)
    raise AssertionError(args.command)  # pragma: no cover


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
