"""Batch metrics: Wilson and Newcombe intervals, bands and their overrides, comparison."""

from __future__ import annotations

from pathlib import Path

import pytest

from understudy.domain.transcript import TerminationReason as R
from understudy.errors import ContentError
from understudy.metrics import (
    Band,
    Bands,
    ConversationOutcome,
    Threshold,
    Verdict,
    compare_metrics,
    compute_metrics,
    load_bands,
    newcombe_interval,
    wilson_interval,
)


def outcome(
    reason: R = R.goal_met, off_topic: bool = False, turns: int = 4, fallbacks: int = 0
) -> ConversationOutcome:
    return ConversationOutcome(reason, off_topic, turns, turns, fallbacks)


def test_wilson_interval_matches_published_values() -> None:
    low, high = wilson_interval(0, 10)
    assert low == 0.0 and high == pytest.approx(0.2775, abs=1e-4), "0/10 -> [0, 0.2775]"
    low, high = wilson_interval(5, 10)
    assert (low, high) == pytest.approx((0.2366, 0.7634), abs=1e-4), "5/10 -> [0.2366, 0.7634]"
    low, high = wilson_interval(10, 10)
    assert (low, high) == pytest.approx((0.7225, 1.0), abs=1e-4), "10/10 -> [0.7225, 1]"


def test_wilson_interval_refuses_an_empty_denominator() -> None:
    with pytest.raises(ValueError, match="n >= 1"):
        wilson_interval(0, 0)


def test_newcombe_interval_matches_newcombe_1998_example() -> None:
    # Newcombe (1998), method 10: 56/70 - 48/80 = 0.2000, 95% CI 0.0524 to 0.3339;
    # 0/10 - 0/20 = 0, 95% CI -0.1611 to 0.2775. The function returns B - A.
    d, low, high = newcombe_interval(48, 80, 56, 70)
    assert d == pytest.approx(0.2)
    assert (low, high) == pytest.approx((0.0524, 0.3339), abs=1e-4)
    d, low, high = newcombe_interval(0, 20, 0, 10)
    assert d == 0 and (low, high) == pytest.approx((-0.1611, 0.2775), abs=1e-4)


def test_metrics_count_each_ending_and_carry_k_and_n() -> None:
    outcomes = [
        outcome(R.goal_met, turns=4),
        outcome(R.goal_met, off_topic=True, turns=6, fallbacks=1),
        outcome(R.customer_left, off_topic=True, fallbacks=2),
        outcome(R.escalated, fallbacks=3),
        outcome(R.error),
    ]
    m = compute_metrics(outcomes)
    assert (m.completion_rate.k, m.completion_rate.n) == (2, 5), "2 of 5 completed"
    assert (m.fallback_rate.k, m.fallback_rate.n) == (3, 5), "3 of 5 fell back at least once"
    assert (m.fallback_turn_rate.k, m.fallback_turn_rate.n) == (6, 4 + 6 + 4 + 4 + 4)
    assert (m.off_topic_recovery_rate.k, m.off_topic_recovery_rate.n) == (1, 2)
    assert m.abandonment_rate.k == 1 and m.escalation_rate.k == 1 and m.errors == 1
    assert m.mean_turns_to_completion.value == 5.0, "mean of 4 and 6 customer turns"
    low, high = m.completion_rate.low, m.completion_rate.high
    assert low is not None and high is not None and low < 0.4 < high, "interval holds 2/5"


def test_no_off_topic_turn_gives_n_a_instead_of_dividing_by_zero() -> None:
    m = compute_metrics([outcome(), outcome(R.customer_left)])
    rate = m.off_topic_recovery_rate
    assert rate.value is None and rate.low is None and rate.band is Band.na, "0 of 0 is n/a"
    empty = compute_metrics([])
    assert empty.completion_rate.value is None and empty.mean_turns_to_completion.value is None


def test_bands_follow_the_direction_of_each_metric() -> None:
    bands = Bands()
    assert bands.band("completion_rate", 0.9) is Band.green
    assert bands.band("completion_rate", 0.7) is Band.amber
    assert bands.band("completion_rate", 0.5) is Band.red
    assert bands.band("fallback_rate", 0.1) is Band.green, "low fallback is good"
    assert bands.band("fallback_rate", 0.3) is Band.amber
    assert bands.band("fallback_rate", 0.5) is Band.red, "high fallback is bad"


def test_user_config_overrides_default_thresholds(understudy_home: Path) -> None:
    understudy_home.mkdir(parents=True, exist_ok=True)
    (understudy_home / "config.yaml").write_text(
        "llm: {model: x}\nbands:\n  completion_rate: {green: 0.95, red: 0.9}\n"
    )
    bands = load_bands()
    assert bands.band("completion_rate", 0.92) is Band.amber, "0.92 is amber under 0.95/0.9"
    assert bands.band("fallback_rate", 0.1) is Band.green, "other metrics keep their defaults"


def test_a_partial_override_keeps_the_other_default_threshold(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("bands:\n  fallback_rate: {red: 0.3}\n")
    bands = load_bands(config)
    assert bands.band("fallback_rate", 0.35) is Band.red, "new red threshold 0.3 applies"
    assert bands.band("fallback_rate", 0.2) is Band.green, "default green threshold 0.2 kept"


def test_config_file_given_on_the_command_line_wins(tmp_path: Path, understudy_home: Path) -> None:
    understudy_home.mkdir(parents=True, exist_ok=True)
    user_config = "bands:\n  completion_rate: {green: 0.95, red: 0.9}\n"
    (understudy_home / "config.yaml").write_text(user_config)
    extra = tmp_path / "strict.yaml"
    extra.write_text("bands:\n  completion_rate: {green: 0.5, red: 0.1}\n")
    assert load_bands(extra).band("completion_rate", 0.6) is Band.green


def test_bad_band_config_names_file_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("bands:\n  completion_rate:\n    green: 0.5\n    red: 0.9\n  fallbak_rate: {}\n")
    with pytest.raises(ContentError) as info:
        load_bands(bad)
    text = str(info.value)
    assert f"{bad}:2: bands.completion_rate:" in text, f"names file, line and field: {text}"
    assert f"{bad}:5: bands.fallbak_rate: unknown metric" in text, text


def test_compare_says_within_noise_for_similar_batches_and_worse_for_a_big_drop() -> None:
    good = compute_metrics([outcome()] * 45 + [outcome(R.customer_left)] * 5)
    similar = compute_metrics([outcome()] * 43 + [outcome(R.customer_left)] * 7)
    broken = compute_metrics([outcome()] * 15 + [outcome(R.customer_left)] * 35)
    same = {d.metric: d for d in compare_metrics(good, similar)}
    assert same["completion_rate"].verdict is Verdict.within_noise, "90% vs 86% is noise at n=50"
    drop = {d.metric: d for d in compare_metrics(good, broken)}
    assert drop["completion_rate"].verdict is Verdict.worse, "90% -> 30% is beyond noise"
    assert drop["completion_rate"].delta == pytest.approx(-0.6)
    assert drop["abandonment_rate"].verdict is Verdict.worse, "more abandonment is worse"
    assert drop["off_topic_recovery_rate"].verdict is Verdict.na, "no off-topic turns: n/a"


def test_rebanding_applies_new_thresholds_to_stored_metrics() -> None:
    m = compute_metrics([outcome()] * 7 + [outcome(R.customer_left)] * 3)
    assert m.completion_rate.band is Band.amber
    lenient = m.rebanded(Bands({"completion_rate": Threshold(green=0.5, red=0.2)}))
    assert lenient.completion_rate.band is Band.green, "70% is green when green starts at 50%"


def test_compare_guards_against_chance_findings_over_many_metrics() -> None:
    # 7/50 vs 1/50 fallbacks: a lone 95% interval excludes 0, but across the eight metrics of
    # a comparison such a gap happens by chance too often; the family-wise rule calls it noise.
    _, _, high = newcombe_interval(7, 50, 1, 50)
    assert high < 0, "on its own, the 95% interval would call it a change"
    a = compute_metrics([outcome(fallbacks=1)] * 7 + [outcome()] * 43)
    b = compute_metrics([outcome(fallbacks=1)] * 1 + [outcome()] * 49)
    fallback = next(d for d in compare_metrics(a, b) if d.metric == "fallback_rate")
    assert fallback.verdict is Verdict.within_noise, "with 8 metrics compared, it is noise"


def test_the_documented_bands_example_loads(tmp_path: Path) -> None:
    doc = Path(__file__).resolve().parents[1] / "docs" / "stress-testing.md"
    block = doc.read_text().split("```yaml\n", 1)[1].split("```", 1)[0]
    config = tmp_path / "config.yaml"
    config.write_text(block)
    bands = load_bands(config)
    assert bands.thresholds["completion_rate"] == Threshold(green=0.9, red=0.7)
    assert bands.thresholds["fallback_rate"] == Threshold(green=0.2, red=0.3)


def test_off_topic_recovery_needs_the_digression_answered_then_completion() -> None:
    from understudy.domain.transcript import (
        ActType,
        ConversationResult,
        DialogueAct,
        Message,
        Role,
    )

    def conversation(reply_meta: dict[str, object], reason: R = R.goal_met) -> ConversationResult:
        messages = [
            Message(
                index=1,
                role=Role.customer,
                text="Are you open on weekends?",
                acts=[DialogueAct(type=ActType.off_topic)],
            ),
            Message(
                index=2, role=Role.agent, text="Yes, 9 to 5. Now, your order?", meta=reply_meta
            ),
            Message(index=3, role=Role.customer, text="3348917502"),
            Message(index=4, role=Role.agent, text="Done, goodbye!", meta={"digression": False}),
        ]
        return ConversationResult(conversation_id="c", messages=messages, termination_reason=reason)

    answered = conversation({"digression": True})
    ignored = conversation({"digression": False})
    unanswered_then_left = conversation({"digression": True}, R.customer_left)
    assert answered.off_topic_answered and not ignored.off_topic_answered
    outcomes = [
        ConversationOutcome.from_result(c) for c in (answered, ignored, unanswered_then_left)
    ]
    m = compute_metrics(outcomes)
    assert (m.off_topic_recovery_rate.k, m.off_topic_recovery_rate.n) == (1, 3), (
        "only the answered digression in a completed conversation counts as recovered"
    )
    webhook = conversation({})  # an agent that reports no digressions: no fallback = answered
    assert webhook.off_topic_answered
    fell_back = webhook.model_copy(deep=True)
    fell_back.messages[1].fell_back = True
    assert not fell_back.off_topic_answered
