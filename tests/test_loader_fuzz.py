"""Property-based fuzzing of every author-file loader: nothing but ``ContentError`` escapes.

For each kind of author file (``understudy.content.kinds.KINDS``) and for the settings file,
hypothesis feeds three families of input: mutations of a real file of that kind (slices cut,
YAML tokens spliced in, bytes flipped), YAML documents built from the model's own field names with
random values, and raw bytes. A loader may accept the input or raise ``ContentError`` naming the
file; any other exception, or a hang, is a bug. CI runs a bounded number of examples per loader
(``FUZZ_EXAMPLES``, default 40); ``docs/hardening.md`` reports a longer run.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from understudy.content.kinds import KINDS, ContentKind
from understudy.errors import ContentError
from understudy.settings import load_config_with_lines

REPO = Path(__file__).resolve().parents[1]
FUZZ_EXAMPLES = int(os.environ.get("UNDERSTUDY_FUZZ_EXAMPLES", "40"))
SEEDS: dict[str, Path] = {
    "flow": REPO / "examples/flows/refund.yaml",
    "scenario": REPO / "examples/scenarios/refund-crystal-minh.yaml",
    "persona": next((REPO / "src/understudy/content/personas").glob("*.yaml")),
    "rubric": next((REPO / "src/understudy/graders/rubrics").glob("*.yaml")),
    "labelled-calls": REPO / "examples/grading/calibration.yaml",
}
TOKENS = [
    "&a ",
    "*a",
    "!!python/object:os.system ",
    "!x ",
    ".nan",
    ".inf",
    "-1",
    "1.5",
    "1e999",
    "2026-13-45",
    "~",
    "null",
    "[",
    "]",
    "{",
    "}",
    ": ",
    "- ",
    "? ",
    "\n",
    "\n  ",
    "'",
    '"',
    "|\n",
    ">\n",
    "#",
    "\t",
    "\x00",
    "\ufeff",
    "\u2028",
    "%YAML 1.1\n",
    "---\n",
    "...\n",
    "<<: *a\n",
    "id: ",
    "id: x\nid: y\n",
    "\\",
    "\x85",
    "é",
]
VALUES = [
    ".nan",
    ".inf",
    "-.inf",
    "-5",
    "1.5",
    "1e999",
    "1.0e+999",
    "2026-13-45",
    "2026-02-30",
    "!!python/object:os.system x",
    "!!binary aGk=",
    "!!set {a}",
    "!custom 1",
    "*nowhere",
    "&a [*a]",
    "[[[[[[[[",
    "{a: 1, a: 2}",
    "? [a]\n  : 1",
    "9" * 5000,
    "~",
    "[]",
    "{}",
    "''",
]
FUZZ = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def seed_text(kind: str) -> str:
    path = SEEDS.get(kind)
    text = path.read_text(encoding="utf-8") if path else "id: x\nname: X\n"
    return f"# kind: {kind}\n{text}"


@st.composite
def mutated(draw: st.DrawFn, kind: str) -> bytes:
    """A real file of ``kind`` with a few cuts, splices and flipped bytes."""
    raw = seed_text(kind).encode("utf-8")
    for _ in range(draw(st.integers(1, 6))):
        operation = draw(st.sampled_from(["cut", "splice", "value", "flip"]))
        at = draw(st.integers(0, len(raw)))
        if operation == "value":  # replace a value where YAML reads one: after ": " or "- "
            starts = [i + 2 for i in range(len(raw) - 1) if raw[i : i + 2] in (b": ", b"- ")]
            if starts:
                at = draw(st.sampled_from(starts))
                end = raw.find(b"\n", at)
                end = len(raw) if end < 0 else end
                raw = raw[:at] + draw(st.sampled_from(VALUES)).encode("utf-8") + raw[end:]
        elif operation == "cut":
            raw = raw[:at] + raw[at + draw(st.integers(1, 80)) :]
        elif operation == "splice":
            raw = raw[:at] + draw(st.sampled_from(TOKENS)).encode("utf-8") + raw[at:]
        elif raw:
            at = min(at, len(raw) - 1)
            raw = raw[:at] + bytes([draw(st.integers(0, 255))]) + raw[at + 1 :]
    return raw


def field_names(kind: ContentKind) -> list[str]:
    names = list(kind.model.model_fields)
    for field in kind.model.model_fields.values():
        annotation = field.annotation
        if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
            names.extend(annotation.model_fields)
    return names or ["id"]


def documents(names: list[str]) -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**30), 10**30),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=30),
        st.sampled_from(names),
    )
    keys = st.one_of(st.sampled_from(names), st.text(max_size=10))
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=5), st.dictionaries(keys, inner, max_size=6)
        ),
        max_leaves=40,
    )


def generated(kind: ContentKind) -> st.SearchStrategy[bytes]:
    names = field_names(kind)
    return st.dictionaries(st.sampled_from(names), documents(names), max_size=8).map(
        lambda data: (f"# kind: {kind.name}\n" + yaml.safe_dump(data, allow_unicode=True)).encode(
            "utf-8"
        )
    )


def check(kind: ContentKind, raw: bytes, tmp_path: Path) -> None:
    path = tmp_path / f"fuzz-{kind.name}.yaml"
    path.write_bytes(raw)
    started = time.perf_counter()
    try:
        kind.load(path)
    except ContentError as exc:
        assert exc.problems, "a ContentError lists its problems"
        assert all(p.path is not None for p in exc.problems), f"file not named: {exc}"
    assert time.perf_counter() - started < 20.0, f"{kind.name} loader hung"  # 0.01 s typical


KIND_NAMES = list(KINDS)


@pytest.mark.slow
@pytest.mark.parametrize("kind_name", KIND_NAMES)
def test_every_loader_survives_mutated_real_files(kind_name: str, tmp_path: Path) -> None:
    kind = KINDS[kind_name]

    @FUZZ
    @given(raw=mutated(kind_name))
    def run(raw: bytes) -> None:
        check(kind, raw, tmp_path)

    run()


@pytest.mark.slow
@pytest.mark.parametrize("kind_name", KIND_NAMES)
def test_every_loader_survives_generated_documents(kind_name: str, tmp_path: Path) -> None:
    kind = KINDS[kind_name]

    @FUZZ
    @given(raw=generated(kind))
    def run(raw: bytes) -> None:
        check(kind, raw, tmp_path)

    run()


@pytest.mark.slow
@pytest.mark.parametrize("kind_name", KIND_NAMES)
def test_every_loader_survives_raw_bytes(kind_name: str, tmp_path: Path) -> None:
    kind = KINDS[kind_name]

    @FUZZ
    @given(raw=st.binary(max_size=400))
    def run(raw: bytes) -> None:
        check(kind, raw, tmp_path)

    run()


@pytest.mark.slow
def test_the_settings_loader_survives_fuzzed_files(tmp_path: Path) -> None:
    text = "llm:\n  model: test\nbands:\n  completion_rate: {green: 0.8, red: 0.5}\n"

    @FUZZ
    @given(
        raw=st.one_of(
            st.binary(max_size=300),
            st.lists(st.sampled_from([*TOKENS, text]), max_size=12).map(
                lambda parts: "".join(parts).encode("utf-8")
            ),
        )
    )
    def run(raw: bytes) -> None:
        path = tmp_path / "config.yaml"
        path.write_bytes(raw)
        try:
            load_config_with_lines(path)
        except ContentError as exc:
            assert exc.problems[0].path == path

    run()
