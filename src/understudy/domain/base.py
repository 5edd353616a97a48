"""Shared base for author-facing models: unknown keys are errors, so typos are caught."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    """A pydantic model that forbids unknown keys (a misspelt field fails loudly)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, coerce_numbers_to_str=True)


class Origin(StrictModel):
    """Where a persona or scenario came from.

    Attributes:
        kind: ``hand-written``, ``imported`` or ``generated``.
        source: for imported content, the source (e.g. ``tau2/retail task 3``); for generated
            content, the one-line description it was generated from.
    """

    kind: str = "hand-written"
    source: str | None = None

    def describe(self) -> str:
        """Return a short label such as ``imported from tau2/retail task 3``."""
        if self.kind == "imported" and self.source:
            return f"imported from {self.source}"
        if self.kind == "generated" and self.source:
            return f'generated from "{self.source}"'
        return self.kind
