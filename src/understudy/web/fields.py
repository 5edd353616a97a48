"""Form controls described once: label, kind, help and options, named by the field's path."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Path as PathParam

from understudy.web.forms import get_path, lines_of, mapping_of, mapping_text, set_path


@dataclass(frozen=True)
class FormField:
    """One form control.

    Attributes:
        name: dotted path of the model field it fills, e.g. ``demographics.age``.
        label: the visible label.
        kind: ``text``, ``textarea``, ``number``, ``url``, ``date``, ``select``, ``lines``
            (a list, one item per line), ``mapping`` (``key: value`` per line), ``tags``
            (comma-separated) or ``checkbox``.
        help: one line under the label.
        options: for ``select``: ``(value, description)`` pairs; the description says what
            the option does.
        required: whether the browser should ask for a value.
        step: for ``number``: the step of the control (``any`` for fractions).
    """

    name: str
    label: str
    kind: str = "text"
    help: str = ""
    options: Sequence[tuple[str, str]] = field(default_factory=tuple)
    required: bool = False
    step: str = "1"

    @property
    def control_id(self) -> str:
        """The HTML id of the control (dots are awkward in CSS selectors)."""
        return "f-" + self.name.replace(".", "-")


def form_to_data(fields: Sequence[FormField], form: Mapping[str, Any]) -> dict[str, Any]:
    """Return the nested data the ``fields`` of a submitted ``form`` describe.

    Blank text and number controls are left out, so the model's default applies; the values
    stay strings for validation to convert (and to report "expected a number, got 'abc'").
    """
    data: dict[str, Any] = {}
    for f in fields:
        raw = str(form.get(f.name, "") or "")
        value: Any
        if f.kind == "checkbox":
            value = f.name in form
        elif f.kind == "lines":
            value = lines_of(raw)
        elif f.kind == "mapping":
            value = mapping_of(raw)
        elif f.kind == "tags":
            value = [t.strip() for t in raw.split(",") if t.strip()]
        else:
            value = raw.strip()
            if value == "":
                continue
            if f.kind == "number":
                value = _number(value)
        if value in ([], {}) and f.kind != "checkbox":
            continue
        set_path(data, f.name, value)
    return data


def _number(text: str) -> int | float | str:
    """``"3"`` -> 3, ``"0.5"`` -> 0.5; anything else stays text for validation to report."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def data_to_values(fields: Sequence[FormField], data: Mapping[str, Any]) -> dict[str, Any]:
    """Return control name -> the value to show, from model data (``model_dump(mode="json")``)."""
    values: dict[str, Any] = {}
    for f in fields:
        value = get_path(data, f.name, None)
        if f.kind == "checkbox":
            values[f.name] = bool(value)
        elif value is None:
            values[f.name] = ""
        elif f.kind == "lines":
            values[f.name] = "\n".join(str(v) for v in value)
        elif f.kind == "mapping":
            values[f.name] = mapping_text(value) if isinstance(value, Mapping) else str(value)
        elif f.kind == "tags":
            values[f.name] = ", ".join(str(v) for v in value)
        else:
            values[f.name] = value
    return values


def form_values(fields: Sequence[FormField], form: Mapping[str, Any]) -> dict[str, Any]:
    """Return control name -> the value as submitted (to show the form again unchanged)."""
    return {
        f.name: (f.name in form) if f.kind == "checkbox" else str(form.get(f.name, "") or "")
        for f in fields
    }


RowId = Annotated[int, PathParam(ge=0, le=2**31 - 1)]
"""A stored row's number in a path (attempt, session, conversation index): an out-of-range one
is a 422, never a database error (INTEGER columns are 32-bit on PostgreSQL)."""
