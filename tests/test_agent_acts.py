"""The trained agent dialogue-act recogniser: shipped weights, held-apart gain, what it changes."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import pytest

from script_loader import load_script
from simulator_fixtures import persona, step
from understudy.content.importers.harper_valley import is_calibration_call, load_calls
from understudy.domain.scenario import CustomerGoal, Scenario, ScenarioMode
from understudy.domain.transcript import ActType, Message, Role
from understudy.simulators.offline import OfflineSimulator
from understudy.simulators.offline.agent_acts import ACTS, AgentActModel, agent_act_model
from understudy.simulators.offline.understanding import cue_acts, read_agent_turn

REPO = Path(__file__).resolve().parents[1]
ARTIFACT = REPO / "src" / "understudy" / "simulators" / "offline" / "data" / "agent_acts.json"


TRANSFER = Scenario(
    id="transfer",
    persona="calm",
    goal=CustomerGoal(
        reason_for_call="You want to move money from your checking to your savings account.",
        known_info={"name": "Ana Lopez", "amount": "$120", "phone": "555-0142"},
    ),
    mode=ScenarioMode.voice,
    first_speaker=Role.agent,
    max_turns=20,
)


def test_plain_python_scoring_gives_scikit_learn_probabilities() -> None:
    script = load_script("train_agent_acts")
    texts = [
        ("what is your account number", {"data_question"}),
        ("can i get your phone number please", {"data_question"}),
        ("is that your savings account", {"confirm_data"}),
        ("so that is forty dollars correct", {"confirm_data"}),
        ("have a great day bye", {"closing"}),
        ("thank you for calling goodbye", {"closing"}),
        ("one moment please", {"bear_with_me"}),
        ("bear with me while i check", {"bear_with_me"}),
        ("how can i help you today", {"open_question"}),
        ("is there anything else i can help with", {"open_question"}),
    ]
    train = [script.Example("c", t, frozenset(a), ()) for t, a in texts]
    training = load_script("act_training")
    vectoriser, models = training.fit_sklearn(train, ACTS)
    model = AgentActModel.from_json(training.export(vectoriser, models, ACTS))
    for text in ("and your account number please", "OK, bye bye!", "hmm", "is it savings"):
        ours = model.scores(text)
        for index, act in enumerate(ACTS):
            theirs = models[index].predict_proba(vectoriser.transform([text]))[0, 1]
            assert math.isclose(ours[act], theirs, abs_tol=1e-5), (text, act, ours[act], theirs)


def test_the_shipped_model_loads_from_the_package_without_the_data_folder() -> None:
    model = agent_act_model()
    assert model.acts == ACTS
    assert model.used <= set(ACTS)
    assert model.evaluation["train_segments"] > 100, "fitted on the calibration calls"
    assert model.scores("what is your phone number")["data_question"] > 0.5


def test_the_shipped_model_is_what_the_training_script_fits(shared_data: Path) -> None:
    script = load_script("train_agent_acts")
    calls = load_calls(shared_data / "harper_valley" / "calls.jsonl")
    raw = script.fit(script.examples(c for c in calls if is_calibration_call(c.id)))
    shipped = json.loads(ARTIFACT.read_text())
    assert shipped["intercepts"] == pytest.approx(raw["intercepts"], abs=1e-4)
    assert shipped["vocabulary"].keys() == raw["vocabulary"].keys()
    for term in ("your", "phone number", "repeat", "bye"):
        assert shipped["vocabulary"][term][1] == pytest.approx(raw["vocabulary"][term][1], abs=1e-4)


def test_the_model_is_used_only_where_it_beats_the_cues_on_held_apart_calls(
    shared_data: Path,
) -> None:
    script = load_script("train_agent_acts")
    calls = load_calls(shared_data / "harper_valley" / "calls.jsonl")
    report = script.examples(c for c in calls if not is_calibration_call(c.id))
    figures = script.figures(agent_act_model(), report)
    used = agent_act_model().used
    assert used, "the model is used for at least one act"
    for act in used:
        cues, simulator = figures["cues"][f"{act}.f1"], figures["simulator"][f"{act}.f1"]
        assert simulator > cues, f"{act}: simulator F1 {simulator} should beat cues {cues}"
    assert figures["simulator"]["macro_f1"] >= figures["cues"]["macro_f1"]


def test_a_spoken_question_naming_no_slot_is_heard_as_a_request() -> None:
    keys = ("name", "amount", "source_account")
    for text in ("can you repeat that please", "could you repeat the last part for me"):
        assert not read_agent_turn(text, keys, use_model=False).open_request
        assert read_agent_turn(text, keys).open_request, text
        assert "data_question" in cue_acts(read_agent_turn(text, keys))


def test_yes_no_offers_and_progress_are_not_read_as_requests() -> None:
    keys = ("name", "order_id", "username")
    for text in (
        "Would you like me to set up the return now?",
        "one moment please",
        "Let me check that for you.",
    ):
        reading = read_agent_turn(text, keys)
        assert not reading.open_request and not reading.requested, text


def _caller(seed: int) -> tuple[OfflineSimulator, list[Message]]:
    sim = OfflineSimulator(persona("calm"), TRANSFER, random.Random(seed))
    return sim, []


@pytest.mark.parametrize("seed", range(8))
def test_asked_to_repeat_the_caller_says_the_same_fact_again(seed: int) -> None:
    sim, messages = _caller(seed)
    step(sim, messages, "hello thank you for calling how can i help you")
    given = step(sim, messages, "and what is the phone number on the account")
    assert any(a.type is ActType.inform and a.slot == "phone" for a in given.acts)
    again = step(sim, messages, "sorry can you repeat that please")
    informed = {a.slot for a in again.acts if a.type is ActType.inform}
    assert "phone" in informed, f"says the phone number again: {again.text}"
    assert "amount" not in informed, f"does not answer a question nobody asked: {again.text}"
