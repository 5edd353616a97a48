"""The phrasing bank: grounded in the real data, rebuilt exactly by its script, and value-free."""

from __future__ import annotations

import json
import re
from pathlib import Path

from script_loader import load_script
from understudy.simulators.offline.slots import canonical_slot
from understudy.simulators.offline.wording import phrasing_bank

REPO = Path(__file__).resolve().parents[1]
BANK_DIR = REPO / "src" / "understudy" / "simulators" / "offline" / "data"


def all_lines() -> list[str]:
    bank = phrasing_bank()
    lines = [line for styles in bank["intents"].values() for v in styles.values() for line in v]
    caller = bank["caller"]
    return [*lines, *caller["thanks"], *caller["no_more"], *caller["acknowledgements"]]


def test_bank_lines_hold_no_values_only_placeholders() -> None:
    for line in all_lines():
        assert not re.search(r"\d", line), f"a bank line must hold no digits: {line!r}"
        assert "{{" not in line and "$" not in line, line
        for slot in re.findall(r"\{(\w+)\}", line):
            assert canonical_slot(slot) is not None, f"unknown placeholder {slot!r} in {line!r}"


def test_bank_covers_the_bitext_intents_with_tens_of_phrasings() -> None:
    intents = phrasing_bank()["intents"]
    assert len(intents) == 27
    for name, styles in intents.items():
        assert 10 <= len(styles["plain"]) <= 40, f"{name}: tens of phrasings, not the whole CSV"


def test_sources_and_licences_are_named_beside_the_bank() -> None:
    text = (BANK_DIR / "SOURCES.md").read_text(encoding="utf-8")
    assert "CDLA-Sharing-1.0" in text and "Apache License 2.0" in text
    assert "Copyright 2020 Gridspace Inc." in text


def test_the_script_rebuilds_the_shipped_bank_exactly(shared_data: Path, tmp_path: Path) -> None:
    module = load_script("build_phrasing_bank")
    module.main(["--data", str(shared_data), "--out", str(tmp_path)])
    rebuilt = json.loads((tmp_path / "phrasing_bank.json").read_text(encoding="utf-8"))
    assert rebuilt == phrasing_bank(), "the shipped bank should be the script's output"
