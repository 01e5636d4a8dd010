"""HTML export through nbconvert with equitykit's template (``templates/equitykit``)."""

from __future__ import annotations

import nbformat
from nbconvert import HTMLExporter

from ..config import AuditConfig

__all__ = ["notebook_to_html"]


def notebook_to_html(notebook: nbformat.NotebookNode, *, config: AuditConfig) -> str:
    """Render an executed audit notebook as one self-contained HTML page with no code shown."""
    exporter = HTMLExporter(template_name="basic", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(notebook)
    return body
