"""Build the offline simulator's phrasing bank from the real data in ``../shared/data``.

Reads:
    * ``bitext/customer_support_sample.csv``: customer requests by intent (CDLA-Sharing-1.0).
    * ``harper_valley/calls.jsonl``: spoken caller turns of role-played bank calls (Apache-2.0,
      Copyright 2020 Gridspace Inc.), when present.

Writes ``src/understudy/simulators/offline/data/phrasing_bank.json`` and ``SOURCES.md`` beside it.

Safety rule: the simulator must never state a value it was not given. So every tagged entity in a
bitext request (order numbers, names, amounts, cities...) becomes a placeholder such as
``{order_id}``, filled later only from the scenario's known facts, and any request still holding a
digit, a bitext ``{{...}}`` marker or a name from the source is dropped. Caller turns from Harper
Valley are kept only when they carry no data at all (no digits, number words or names).

Usage::

    python scripts/build_phrasing_bank.py [--data ../shared/data] [--per-intent 40] [--out DIR]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import re
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT_DIR = REPO / "src" / "understudy" / "simulators" / "offline" / "data"

# bitext entity types -> the slot names the simulator uses for placeholders.
ENTITY_SLOTS = {
    "order_id": "order_id",
    "invoice_id": "invoice_id",
    "person_name": "name",
    "refund_amount": "amount",
    "delivery_city": "city",
    "delivery_country": "country",
    "account_type": "account_type",
}

# Words we do not want a library persona to say (bitext's colloquial variants include them).
PROFANITY = re.compile(
    r"\b(damn\w*|goddamn\w*|bloody|fuck\w*|shit\w*|hell|crap\w*|fucking|freaking|frigging)\b",
    re.IGNORECASE,
)
NUMBER_WORDS = re.compile(
    r"\b(zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
    r"forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|oh)\b"
)
HAS_DIGIT = re.compile(r"\d")
# Dates are facts too: a request naming a month or weekday would state a value nobody gave.
DATE_WORDS = re.compile(
    r"\bMay\b(?! I\b)|(?i:\b(january|february|march|april|june|july|august|september|"
    r"october|november|december|monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|"
    r"tomorrow|last (week|month|year))\b)",
)
# Chat shorthand in some bitext rows; the noise layer adds its own informality.
COLLOQUIAL = [
    (re.compile(r"\buhelp\b"), "you help"),
    (re.compile(r"\bur\b"), "your"),
    (re.compile(r"\b(u|ya)\b"), "you"),
]
ACK_WORDS = {"okay", "alright", "great", "mhm", "uh", "huh", "yes", "yeah", "correct", "sure"}
SPACES = re.compile(r"\s+")
FILLER_WORDS = {"uh", "um", "uhm", "mhm", "okay", "alright", "so", "well", "yeah", "oh", "hmm"}


def _clean(text: str) -> str:
    return SPACES.sub(" ", text).strip()


def bitext_requests(path: Path, per_intent: int, rng: random.Random) -> dict[str, dict[str, list]]:
    """Return ``{intent: {"plain": [...], "terse": [...]}}`` of placeholdered customer requests.

    Rows tagged Z (deliberate typos) or W (offensive) are skipped; the noise layer makes its own
    typos. Rows tagged K (keyword style, e.g. "track order") go to ``terse``.
    """
    by_intent: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            tags = row.get("tags", "")
            if "Z" in tags or "W" in tags:
                continue
            text = row["instruction"]
            entity = row.get("entity_type", "")
            if entity:
                slot = ENTITY_SLOTS.get(entity)
                start, end = int(row["start_offset"]), int(row["end_offset"])
                if slot is None or text[start:end].strip() == "":
                    continue
                # Widen the span over the rest of a token (offsets sometimes cut leading zeros).
                while start > 0 and not text[start - 1].isspace():
                    start -= 1
                while end < len(text) and text[end].isalnum():
                    end += 1
                text = f"{text[:start]}{{{slot}}}{text[end:]}"
            text = _clean(text)
            for pattern, repl in COLLOQUIAL:
                text = pattern.sub(repl, text)
            if HAS_DIGIT.search(text) or "{{" in text or "$" in text or PROFANITY.search(text):
                continue
            if DATE_WORDS.search(text):
                continue
            if len(text.split()) > 22 or len(text) < 6:
                continue
            style = "terse" if "K" in tags else "plain"
            by_intent[row["intent"]][style].add(text)
    out: dict[str, dict[str, list]] = {}
    for intent in sorted(by_intent):
        styles: dict[str, list] = {}
        for style in ("plain", "terse"):
            pool = sorted(by_intent[intent][style], key=lambda p: (p.lower(), p))
            # Keep every placeholdered phrasing we can afford, then fill up with plain ones.
            with_slot = [p for p in pool if "{" in p]
            without = [p for p in pool if "{" not in p]
            rng.shuffle(with_slot)
            rng.shuffle(without)
            limit = per_intent if style == "plain" else per_intent // 2
            chosen = with_slot[: limit // 2] + without
            styles[style] = sorted(chosen[:limit], key=lambda p: (p.lower(), p))
        out[intent] = styles
    return out


def is_calibration_id(call_id: str) -> bool:
    """True for a Harper Valley calibration call (the split of ``benchmarks/bench_realism.py``)."""
    return hashlib.sha256(call_id.encode()).digest()[0] % 2 == 0


def harper_valley_caller(path: Path) -> dict[str, object]:
    """Return caller-side lines and habits from the Harper Valley calls.

    Keys: ``fillers`` (discourse markers opening caller turns, with counts), ``thanks``,
    ``no_more`` (answers to "anything else?"), ``acknowledgements``, ``fact_frames`` (how callers
    state a fact: "my {slot} is {value}"), ``mean_caller_words`` (words per caller turn).
    """
    fillers: Counter[str] = Counter()
    thanks: Counter[str] = Counter()
    no_more: Counter[str] = Counter()
    acks: Counter[str] = Counter()
    frames: Counter[str] = Counter()
    words: list[int] = []
    frame_re = re.compile(r"^(?:uh |um |uhm )?(my|the) ([a-z]+(?: [a-z]+)?) (?:is|was) ")
    for line in path.read_text(encoding="utf-8").splitlines():
        call = json.loads(line)
        if not is_calibration_id(str(call["id"])):
            continue  # report calls are kept apart for benchmarks/bench_realism.py
        names = set()
        for who in ("caller_name", "agent_name"):
            names.update(str(call.get(who, "")).lower().split())
        for turn in call["turns"]:
            if turn["speaker"] != "caller":
                continue
            text = _clean(re.sub(r"\[[a-z ]+\]", " ", turn["text"].lower()))
            if not text or "<unk>" in text:
                continue
            words.append(len(text.split()))
            first = text.split()[0]
            if first in FILLER_WORDS:
                fillers[first] += 1
            match = frame_re.match(text)
            if match:
                frames[f"{match.group(1)} {{slot}} is {{value}}"] += 1
            tokens = set(text.split())
            has_data = bool(HAS_DIGIT.search(text) or NUMBER_WORDS.search(text) or tokens & names)
            if has_data or len(tokens) > 14 or "harper" in text or "bank" in text:
                continue
            acts = set(turn.get("dialog_acts", []))
            if re.match(r"^(?:uh |um |uhm )?(no|nope)\b", text) and (
                acts & {"gridspace_thanks", "gridspace_closing", "gridspace_other"}
            ):
                no_more[text] += 1
            elif (
                acts & {"gridspace_thanks", "gridspace_closing"}
                and "thank" in text
                and not re.search(r"\b(you too|as well|bye)\b", text)
            ):
                thanks[text] += 1
            elif acts & {"gridspace_acknowledgement", "gridspace_yes_response"} and (
                tokens <= ACK_WORDS
            ):
                acks[text] += 1
    return {
        "fillers": dict(fillers.most_common()),
        "thanks": sorted(thanks),
        "no_more": sorted(no_more),
        "acknowledgements": sorted(acks),
        "fact_frames": dict(frames.most_common()),
        "mean_caller_words": round(sum(words) / len(words), 2) if words else 0.0,
    }


SOURCES_MD = """# Sources of the phrasing bank

`phrasing_bank.json` is generated by `scripts/build_phrasing_bank.py` from two public data sets.
Every entity value in a source request (order numbers, names, amounts, places) was replaced by a
placeholder such as `{order_id}` that the simulator fills only from a scenario's known facts;
requests still holding digits or names were dropped.

- `intents` (customer requests by intent): the Bitext customer support LLM chatbot training
  dataset (`bitext/customer-support-llm-chatbot-training-dataset`, commit 337b968), sample file
  `customer_support_sample.csv`. Licence: CDLA-Sharing-1.0 (Community Data License Agreement,
  Sharing, version 1.0).
- `caller` (fillers, thanks, "no, that's all" answers, acknowledgements, fact frames, turn
  length): caller turns of the Gridspace-Stanford Harper Valley corpus
  (`cricketclub/gridspace-stanford-harper-valley`), calibration calls only (SHA-256 of the call
  id with an even first byte); the other calls are kept apart for `benchmarks/bench_realism.py`.
  Licence: Apache License 2.0, Copyright 2020 Gridspace Inc.

Under CDLA-Sharing-1.0 the derived phrasings are shared under the same terms; the Apache-2.0
notice above is kept with the derived caller lines.
"""


def main(argv: list[str] | None = None) -> None:
    """Parse arguments (``argv``, default the command line), build the bank, write it."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--per-intent", type=int, default=40)
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="folder to write into")
    args = parser.parse_args(argv)
    rng = random.Random(0)
    bank: dict[str, object] = {
        "intents": bitext_requests(
            args.data / "bitext" / "customer_support_sample.csv", args.per_intent, rng
        ),
    }
    hv = args.data / "harper_valley" / "calls.jsonl"
    if hv.exists():
        bank["caller"] = harper_valley_caller(hv)
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / "phrasing_bank.json"
    target.write_text(json.dumps(bank, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    (args.out / "SOURCES.md").write_text(SOURCES_MD, encoding="utf-8")
    intents = bank["intents"]
    assert isinstance(intents, dict)
    total = sum(len(v["plain"]) + len(v["terse"]) for v in intents.values())
    print(f"wrote {target} ({len(intents)} intents, {total} phrasings)")


if __name__ == "__main__":
    main()
