"""Import the Bitext customer-support CSV as intent examples and opening lines.

Input: a CSV with at least the columns ``instruction`` (the customer's request) and ``intent``;
optional ``entity_type``, ``start_offset``, ``end_offset`` (the tagged entity, e.g. an order
number, by character offsets) and ``tags`` (Bitext's language-variation flags: ``K`` keyword
style, ``P`` polite, ``Z`` typos and errors...).

Output, under ``OUT``:

* ``intents.yaml``: ``intents:`` as a list of flow intents (``name`` + ``examples``), the same
  shape as a flow's ``intents`` (docs/flows.md), ready to paste or merge into a flow. Requests
  are kept word for word (values included: real wording helps intent matching).
* ``opening_lines.yaml``: ``intents: {INTENT: {plain: [...], terse: [...], polite: [...],
  typo: [...]}}``, the shape of the offline simulator's phrasing bank. The tagged entity is
  replaced by a ``{slot}`` placeholder (``{order_id}``) that the simulator fills from the
  scenario's known facts; requests whose offsets do not match the text, or that still hold a
  number (a value the simulated customer was not given), are left out.

Both files start with their kind (``# kind: intents``, ``# kind: opening-lines``), so
``understudy validate`` accepts them; a flow includes ``intents.yaml`` with ``intents_from`` and
``understudy import bitext ... --install`` adds the opening lines to the user simulator's
phrasing bank (docs/phrasing.md).

Source: bitext/customer-support-llm-chatbot-training-dataset, CDLA-Sharing-1.0 (derived
phrasings are shared under the same terms).
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

from pydantic import ValidationError

from understudy.content.importers.common import ImportReport, write_yaml
from understudy.domain.flow import IDENTIFIER, Intent
from understudy.domain.phrasing import DIGIT, SLOT_PLACEHOLDER, placeholder_problem
from understudy.errors import ContentError, ContentProblem

HEADER = (
    "Imported from bitext/customer-support-llm-chatbot-training-dataset ({name}),\n"
    "licence CDLA-Sharing-1.0: derived phrasings are shared under the same terms."
)
_SLOT_NAMES = {"person_name": "name"}
_STYLE_BY_TAG = (("Z", "typo"), ("P", "polite"), ("K", "terse"))


def _style(tags: str, text: str) -> str:
    for flag, style in _STYLE_BY_TAG:
        if flag in tags:
            return style
    return "terse" if len(text.split()) <= 4 else "plain"


def _spread(items: list[str], limit: int) -> list[str]:
    """Return at most ``limit`` items spread evenly over ``items`` (deterministic)."""
    if len(items) <= limit:
        return items
    step = len(items) / limit
    return [items[int(i * step)] for i in range(limit)]


def _opening(row: dict[str, str]) -> str | None:
    """The request with its tagged entity as a ``{slot}`` placeholder; None if offsets are off."""
    text = row["instruction"].strip()
    entity = (row.get("entity_type") or "").strip()
    if not entity:
        return text
    try:
        start, end = int(row.get("start_offset") or ""), int(row.get("end_offset") or "")
    except ValueError:
        return None
    value = (row.get("entity_value") or "").strip()
    raw = row["instruction"]
    if not (0 <= start < end <= len(raw)) or (
        value and value.lstrip("0").lower() not in raw[start:end].lower()
    ):
        return None
    slot = _SLOT_NAMES.get(entity, entity)
    return (raw[:start] + "{" + slot + "}" + raw[end:]).strip()


def import_bitext(
    csv_path: Path | str,
    out: Path | str,
    *,
    max_examples: int = 40,
    max_openings: int = 60,
) -> ImportReport:
    """Import the Bitext CSV: intent examples for flows and opening lines per intent.

    Args:
        csv_path: the CSV file (``customer_support_sample.csv`` or the full data set).
        out: output folder.
        max_examples: example phrases kept per intent (spread evenly over the rows).
        max_openings: opening lines kept per intent and style.

    Returns:
        What was written and skipped; rows left out are counted per reason.

    Raises:
        ContentError: the file cannot be read or lacks the ``instruction``/``intent`` columns.
    """
    csv_path, out = Path(csv_path), Path(out)
    try:
        with csv_path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except FileNotFoundError as exc:
        raise ContentError([ContentProblem(csv_path, None, "", "file not found")]) from exc
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ContentError([ContentProblem(csv_path, None, "", f"cannot read CSV: {exc}")]) from exc
    if rows and not {"instruction", "intent"} <= rows[0].keys():
        found = ", ".join(rows[0].keys())
        message = f"expected columns 'instruction' and 'intent', got {found}"
        raise ContentError([ContentProblem(csv_path, 1, "", message)])
    report = ImportReport()
    examples: dict[str, list[str]] = {}
    openings: dict[str, dict[str, list[str]]] = {}
    left_out: Counter[str] = Counter()
    for row in rows:
        intent = (row.get("intent") or "").strip()
        text = " ".join((row.get("instruction") or "").split())
        if not intent or not text:
            left_out["no intent or no request text"] += 1
            continue
        if not re.match(IDENTIFIER, intent):
            left_out[f"intent name {intent!r} is not an identifier"] += 1
            continue
        bucket = examples.setdefault(intent, [])
        if text not in bucket:
            bucket.append(text)
        line = _opening(row)
        if line is None:
            left_out["entity offsets do not match the text (kept as an example only)"] += 1
            continue
        line = " ".join(line.split())
        if DIGIT.search(SLOT_PLACEHOLDER.sub("", line)):
            left_out[
                "request holds a number that is not a tagged entity (kept as an example only)"
            ] += 1
            continue
        if placeholder_problem(line):
            left_out["request holds braces that are not a {slot} (kept as an example only)"] += 1
            continue
        styles = openings.setdefault(intent, {})
        style_lines = styles.setdefault(_style(row.get("tags") or "", line), [])
        if line not in style_lines:
            style_lines.append(line)
    intents = []
    for name in sorted(examples):
        try:
            intents.append(Intent(name=name, examples=_spread(examples[name], max_examples)))
        except ValidationError as exc:
            report.skip(f"bitext intent {name}", str(exc).splitlines()[0])
    header = HEADER.format(name=csv_path.name)
    intents_doc = {"intents": [i.model_dump(mode="json", exclude_defaults=True) for i in intents]}
    report.wrote(
        "intent file",
        write_yaml(out / "intents.yaml", intents_doc, header="kind: intents\n" + header),
    )
    bank = {
        "source": f"bitext/customer-support-llm-chatbot-training-dataset ({csv_path.name}), "
        "CDLA-Sharing-1.0",
        "intents": {
            name: {style: _spread(lines, max_openings) for style, lines in sorted(styles.items())}
            for name, styles in sorted(openings.items())
        },
    }
    report.wrote(
        "opening-lines file",
        write_yaml(out / "opening_lines.yaml", bank, header="kind: opening-lines\n" + header),
    )
    for reason, n in sorted(left_out.items()):
        report.skip(f"{n} rows", reason)
    report.notes.append(
        f"{len(intents)} intents, {sum(len(i.examples) for i in intents)} examples, "
        f"{sum(len(v) for s in openings.values() for v in s.values())} opening lines"
    )
    return report
