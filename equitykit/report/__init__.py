"""Turning an executed audit notebook into the self-contained HTML report."""

from ._html import notebook_to_html, warm_exporter

__all__ = ["notebook_to_html", "warm_exporter"]
