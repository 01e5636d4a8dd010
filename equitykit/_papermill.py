"""The ``papermill.engine`` entry point, so that plain ``papermill --engine equitykit`` runs a
notebook in this process's IPython shell (:class:`equitykit.execute.InProcessEngine`).

papermill loads every registered engine whenever it is imported, in any program; this module
therefore imports nothing heavy, and the engine itself only when a notebook is run.
"""

from __future__ import annotations

from papermill.engines import Engine

__all__ = ["EquitykitEngine"]


class EquitykitEngine(Engine):
    """papermill's ``"equitykit"`` engine: hands the notebook to ``InProcessEngine``.

    Examples
    --------
    ``papermill --engine equitykit notebooks/district_audit.ipynb out.ipynb -p district_id D02``
    """

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs) -> None:
        from .execute._engine import InProcessEngine

        InProcessEngine.execute_managed_notebook(nb_man, kernel_name, **kwargs)
