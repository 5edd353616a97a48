"""A run stores its flow whole: a flow's snapshot inlines its included intents."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from understudy.agents.resolve import resolve_flow
from understudy.content.hashing import content_hash
from understudy.domain.flow import Flow

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


REFUND = EXAMPLES / "flows" / "refund.yaml"


def test_a_flow_snapshot_inlines_its_included_intents(tmp_path: Path) -> None:
    flow_text = re.sub(r"(?m)^default_scenario:.*\n", "", REFUND.read_text(encoding="utf-8"))
    included = {"intents": [{"name": "zz_included", "examples": ["an included phrase"]}]}
    (tmp_path / "more.yaml").write_text("# kind: intents\n" + yaml.safe_dump(included), "utf-8")
    path = tmp_path / "flow.yaml"
    path.write_text(flow_text.replace("\nname:", "\nintents_from: [more.yaml]\nname:", 1), "utf-8")
    _factory, info = resolve_flow(str(path))
    assert "an included phrase" in info.snapshot, "the included intent should be in the snapshot"
    stored = Flow.model_validate(yaml.safe_load(info.snapshot))
    assert stored.intents_from == [], "the snapshot needs no other file"
    assert [i.name for i in stored.intents][-1] == "zz_included", "inlined after the flow's own"
    as_run = stored.model_copy(update={"intents_from": ["more.yaml"]})
    assert content_hash(as_run) == info.content_hash, "the snapshot holds what the hash covers"


def test_a_flow_without_includes_is_stored_as_its_file_text() -> None:
    _factory, info = resolve_flow(str(REFUND))
    assert info.snapshot == REFUND.read_text(encoding="utf-8"), "comments and layout are kept"
