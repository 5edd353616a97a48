"""JUnit XML of a stress-test run, for CI systems that show test reports.

Shape (the common Jenkins/Ant JUnit format; ``tests/data/junit.xsd`` checks it)::

    <testsuites name="understudy" tests= failures= errors= time=>
      <testsuite name="understudy.gates" ...>          one test case per gate
        <properties>  every metric: value, k, n, low, high, band  </properties>
        <testcase classname="understudy.gates.<run id>" name="--fail-under completion_rate=0.8">
          <failure message="..."/>                     when the gate failed
        </testcase>
      </testsuite>
      <testsuite name="understudy.conversations" ...>  one test case per conversation
        <testcase classname="understudy.<persona>" name="conversation 3" time="12.0">
          <failure type="customer_left" message="..."/> it did not reach its goal
          <error type="error" message="..."/>           the agent or simulator crashed
          <system-out> the transcript: moods, acts, noisy and clean text </system-out>
        </testcase>
      </testsuite>
    </testsuites>

A conversation that does not end ``goal_met`` is a failure (type: its termination reason), one
that ended with ``error`` is an error; the gates suite says whether the batch as a whole passed,
and the process exit code follows the gates, not the conversation test cases. Without gates the
gates suite is left out. Times are seconds on the engine's clock.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from understudy.domain.transcript import ConversationResult, Role, TerminationReason
from understudy.metrics.batch import BatchMetrics
from understudy.metrics.gates import GateResult


@dataclass(frozen=True)
class JUnitRun:
    """What the JUnit file says about a run.

    Attributes:
        run_id: the stored run's id.
        flow: the flow's (agent's) display name.
        flow_hash: the flow's content hash.
        persona: persona id.
        seed: batch seed.
        metrics: the run's metrics.
        conversations: ``(index, result)`` of every stored conversation.
        gates: checked gates (may be empty).
    """

    run_id: str
    flow: str
    flow_hash: str
    persona: str
    seed: str
    metrics: BatchMetrics
    conversations: Sequence[tuple[int, ConversationResult]]
    gates: Sequence[GateResult] = ()


def transcript_text(result: ConversationResult) -> str:
    """A plain-text transcript: one line per message, with mood, acts, node and clean text."""
    lines = [f"ending: {result.termination_reason.value}: {result.detail}"]
    if result.error:
        lines.append(f"error: {result.error}")
    for m in result.messages:
        if m.role is Role.customer:
            acts = ", ".join(str(a) for a in m.acts) or "-"
            mood = m.mood.value if m.mood else "?"
            lines.append(f"{m.index:>3} customer [{mood}; {acts}] {m.text}")
            if m.noisy:
                lines.append(f"             clean: {m.clean_text}")
        else:
            flags = " fallback" if m.fell_back else ""
            node = m.meta.get("node")
            where = f" node {node}" if node else ""
            lines.append(f"{m.index:>3} agent [{where.strip() or '-'}{flags}] {m.text}")
    return "\n".join(lines) + "\n"


def _suite(
    parent: ET.Element, name: str, cases: int, failures: int, errors: int, time: float
) -> ET.Element:
    return ET.SubElement(
        parent,
        "testsuite",
        name=name,
        tests=str(cases),
        failures=str(failures),
        errors=str(errors),
        skipped="0",
        time=f"{time:.3f}",
    )


def _metric_properties(suite: ET.Element, run: JUnitRun) -> None:
    props = ET.SubElement(suite, "properties")
    for key, value in (
        ("run_id", run.run_id),
        ("flow", run.flow),
        ("flow_hash", run.flow_hash),
        ("persona", run.persona),
        ("seed", run.seed),
    ):
        ET.SubElement(props, "property", name=key, value=value)
    for name, rate in run.metrics.rates().items():
        for field in ("value", "k", "n", "low", "high"):
            raw = getattr(rate, field)
            shown = "" if raw is None else (f"{raw:.4f}" if isinstance(raw, float) else str(raw))
            ET.SubElement(props, "property", name=f"{name}.{field}", value=shown)
        ET.SubElement(props, "property", name=f"{name}.band", value=rate.band.value)
    mean = run.metrics.mean_turns_to_completion
    shown = "" if mean.value is None else f"{mean.value:.2f}"
    ET.SubElement(props, "property", name="mean_turns_to_completion.value", value=shown)


def junit_tree(run: JUnitRun) -> ET.ElementTree[ET.Element]:
    """Build the JUnit XML tree of a run (see the module docstring for the shape)."""
    root = ET.Element("testsuites", name="understudy")
    total_time = sum(r.duration_s for _, r in run.conversations)
    failed_gates = sum(1 for g in run.gates if not g.passed)
    if run.gates:
        gates = _suite(root, "understudy.gates", len(run.gates), failed_gates, 0, 0.0)
        _metric_properties(gates, run)
        for g in run.gates:
            case = ET.SubElement(
                gates,
                "testcase",
                classname=f"understudy.gates.{run.run_id}",
                name=str(g.gate),
                time="0.000",
            )
            if not g.passed:
                ET.SubElement(case, "failure", type=g.gate.side.value, message=g.message)
            ET.SubElement(case, "system-out").text = g.message + "\n"
    failures = errors = 0
    convs = ET.Element("testsuite")
    for index, result in run.conversations:
        case = ET.SubElement(
            convs,
            "testcase",
            classname=f"understudy.{run.persona}",
            name=f"conversation {index}",
            time=f"{result.duration_s:.3f}",
        )
        reason = result.termination_reason
        if reason is TerminationReason.error:
            errors += 1
            ET.SubElement(case, "error", type="error", message=result.error or result.detail)
        elif reason is not TerminationReason.goal_met:
            failures += 1
            ET.SubElement(case, "failure", type=reason.value, message=result.detail or reason)
        ET.SubElement(case, "system-out").text = transcript_text(result)
    suite = _suite(
        root, "understudy.conversations", len(run.conversations), failures, errors, total_time
    )
    _metric_properties(suite, run)
    suite.extend(list(convs))
    root.set("tests", str(len(run.conversations) + len(run.gates)))
    root.set("failures", str(failures + failed_gates))
    root.set("errors", str(errors))
    root.set("time", f"{total_time:.3f}")
    return ET.ElementTree(root)


def write_junit(run: JUnitRun, path: Path) -> None:
    """Write the run's JUnit XML to ``path`` (UTF-8, with an XML declaration).

    Raises:
        OSError: the file cannot be written.
    """
    tree = junit_tree(run)
    ET.indent(tree)
    path.parent.mkdir(parents=True, exist_ok=True)
    tree.write(path, encoding="utf-8", xml_declaration=True)
