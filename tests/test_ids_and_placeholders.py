"""One placeholder and digit rule, and one slug rule that keeps the underscores of imported ids."""

from __future__ import annotations

import re

import pytest

from understudy.content.ids import slugify
from understudy.content.importers import abcd_flow, bitext, common
from understudy.domain import phrasing
from understudy.simulators.offline import bank, wording


def test_every_module_uses_the_one_placeholder_and_digit_rule() -> None:
    for module in (bitext, bank, wording):
        names = {name for name, value in vars(module).items() if isinstance(value, re.Pattern)}
        for name in names:
            pattern = getattr(module, name)
            assert (
                pattern is phrasing.SLOT_PLACEHOLDER
                or pattern is phrasing.DIGIT
                or (pattern.pattern not in (r"\d", r"\{[a-z_]+\}", r"\{([a-z_]+)\}"))
            ), f"{module.__name__}.{name} copies a rule of understudy.domain.phrasing"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Order_ID 7", "order_id-7"), ("__Hi there__", "hi-there"), ("!!", "x"), ("A-b_c", "a-b_c")],
)
def test_imported_ids_keep_underscores_through_slugify(text: str, expected: str) -> None:
    assert slugify(text, "x", keep="_") == expected
    assert common.slug(text) == expected, "the importers' slug is slugify keeping _"


def test_plain_slugify_still_drops_underscores() -> None:
    assert slugify("Maya O'Brien_2") == "maya-o-brien-2"
    assert abcd_flow.action_name("Verify Identity!") == "verify-identity"
