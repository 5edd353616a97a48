"""Importing the Bitext CSV: intent examples for flows and opening lines with slot placeholders."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from understudy.cli.app import app
from understudy.content.importers.bitext import import_bitext
from understudy.domain.flow import Intent
from understudy.errors import ContentError


@pytest.fixture(scope="module")
def imported(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = shared_data / "bitext"
    out = tmp_path_factory.mktemp("bitext")
    import_bitext(data / "customer_support_sample.csv", out)
    return out


def test_intents_file_holds_27_flow_intents(imported: Path) -> None:
    data = yaml.safe_load((imported / "intents.yaml").read_text())
    intents = [Intent.model_validate(i) for i in data["intents"]]
    assert len(intents) == 27
    cancel = next(i for i in intents if i.name == "cancel_order")
    assert 10 <= len(cancel.examples) <= 40
    assert all("cancel" in e.lower() or "order" in e.lower() for e in cancel.examples[:5])


def test_opening_lines_replace_order_numbers_with_a_placeholder(imported: Path) -> None:
    bank = yaml.safe_load((imported / "opening_lines.yaml").read_text())["intents"]
    lines = [line for style in bank["cancel_order"].values() for line in style]
    assert any("{order_id}" in line for line in lines)
    assert not any(ch.isdigit() for line in lines for ch in line.replace("{order_id}", "")), (
        "no raw order number should remain in an opening line"
    )
    assert set(bank["cancel_order"]) <= {"plain", "terse", "polite", "typo"}


def test_rows_left_out_are_reported_with_a_reason(tmp_path: Path) -> None:
    csv_file = tmp_path / "requests.csv"
    csv_file.write_text(
        "instruction,intent,entity_type,entity_value,start_offset,end_offset,tags\n"
        "cancel order 123456,cancel_order,order_id,123456,13,19,B\n"
        "cancel order 99,cancel_order,order_id,99,0,2,B\n"
        ",cancel_order,,,,,B\n",
        encoding="utf-8",
    )
    report = import_bitext(csv_file, tmp_path / "out")
    reasons = {s.reason: s.item for s in report.skipped}
    assert reasons["no intent or no request text"] == "1 rows"
    assert "entity offsets do not match the text (kept as an example only)" in reasons
    bank = yaml.safe_load((tmp_path / "out" / "opening_lines.yaml").read_text())
    assert bank["intents"]["cancel_order"] == {"terse": ["cancel order {order_id}"]}


def test_csv_without_intent_column_is_a_content_error(tmp_path: Path) -> None:
    csv_file = tmp_path / "bad.csv"
    csv_file.write_text("text,label\nhello,greet\n", encoding="utf-8")
    with pytest.raises(ContentError, match="expected columns 'instruction' and 'intent'"):
        import_bitext(csv_file, tmp_path / "out")


def test_cli_reports_what_it_wrote_and_skipped(shared_data: Path, tmp_path: Path) -> None:
    csv_file = shared_data / "bitext" / "customer_support_sample.csv"
    result = CliRunner().invoke(app, ["import", "bitext", str(csv_file), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Wrote 1 intent file, 1 opening-lines file" in result.output
    assert "27 intents" in result.output
    assert "entity offsets do not match" in result.output, "skipped rows are explained"


def test_understudy_validate_accepts_every_imported_file(imported: Path) -> None:
    files = sorted(imported.glob("*.yaml"))
    assert [p.name for p in files] == ["intents.yaml", "opening_lines.yaml"], files
    result = CliRunner().invoke(app, ["validate", *map(str, files)], env={"COLUMNS": "1000"})
    assert result.exit_code == 0, f"validate should accept the Bitext import:\n{result.stderr}"
    assert result.stdout.count("ok ") == len(files), "one ok line per file"
    first_lines = [p.read_text(encoding="utf-8").splitlines()[0] for p in files]
    assert first_lines == ["# kind: intents", "# kind: opening-lines"], "files name their kind"


def test_opening_lines_hold_no_number_the_customer_was_not_given(imported: Path) -> None:
    bank = yaml.safe_load((imported / "opening_lines.yaml").read_text())["intents"]
    lines = [line for styles in bank.values() for v in styles.values() for line in v]
    with_digits = [line for line in lines if any(ch.isdigit() for ch in line)]
    assert not with_digits, f"an opening line must not state a value: {with_digits[:3]}"
