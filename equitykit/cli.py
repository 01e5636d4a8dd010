"""The ``equitykit`` command (docs/outputs.md).

Exit status: 0 all good, 1 data or config problem, 2 usage error, 3 some districts failed in a
batch. Errors are printed as sentences, never tracebacks.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .errors import EquitykitError

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="equitykit",
        description="K-12 equity audits: validate district data, audit one district or many.",
    )
    p.add_argument("--version", action="version", version=f"equitykit {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser("demo", help="audit every district in the shipped sample data")
    demo.add_argument("--out", type=Path, default=Path("equitykit-demo"), help="output folder")
    demo.add_argument("--workers", type=int, default=None, help="parallel worker processes")

    val = sub.add_parser("validate", help="check a data folder; exit 0 when usable, 1 if not")
    val.add_argument("data", type=Path)
    val.add_argument("--config", type=Path)

    aud = sub.add_parser("audit", help="audit one district")
    aud.add_argument("data", type=Path)
    aud.add_argument("--district", required=True)
    aud.add_argument("--out", type=Path, required=True)
    aud.add_argument("--config", type=Path)
    aud.add_argument("--school-year", type=int, default=None)

    bat = sub.add_parser("batch", help="audit every district (or those named) in parallel")
    bat.add_argument("data", type=Path)
    bat.add_argument("--out", type=Path, required=True)
    bat.add_argument("--config", type=Path)
    bat.add_argument("--workers", type=int, default=None)
    bat.add_argument("--scheduler", default=None, help="Dask scheduler address, tcp://host:8786")
    bat.add_argument("--resume", action="store_true", help="skip districts already complete")
    bat.add_argument("--districts", default=None, help="comma-separated district ids")
    bat.add_argument("--timeout", type=float, default=1800, help="seconds per district")

    exp = sub.add_parser("explore", help="open the interactive explorer for training sessions")
    exp.add_argument("data", type=Path, nargs="?")
    exp.add_argument("--app", action="store_true", help="serve as a Voila app")
    exp.add_argument("--port", type=int, default=8866, help="port of the local server")
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
    except KeyboardInterrupt:
        print("equitykit: interrupted", file=sys.stderr)
        return 130


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "validate":
        from .intake import validate_command

        return validate_command(args.data, config_path=args.config)
    if args.command == "audit":
        from .execute import audit_command

        return audit_command(
            args.data, district_id=args.district, out_dir=args.out,
            config_path=args.config, school_year=args.school_year,
        )
    if args.command == "batch":
        from .execute import batch_command

        districts = args.districts.split(",") if args.districts else None
        return batch_command(
            args.data, out_dir=args.out, config_path=args.config, workers=args.workers,
            scheduler=args.scheduler, resume=args.resume, districts=districts,
            timeout=args.timeout,
        )
    if args.command == "demo":
        from .execute import demo_command

        return demo_command(out_dir=args.out, workers=args.workers)
    if args.command == "explore":
        from .widgets import explore_command

        return explore_command(args.data, app=args.app, port=args.port,
                               open_browser=args.open_browser)
    raise AssertionError(args.command)  # pragma: no cover


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
