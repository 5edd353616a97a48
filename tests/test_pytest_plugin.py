"""The pytest plugin, run through pytester: marked tests pass and fail as a user sees them.

The inner sessions run in a subprocess, as a user's would: the plugin is loaded through its
``pytest11`` entry point, not imported by this test.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from flow_variants import CRYSTAL, REFUND, order_id_rejects_customer_format, write_flow
from understudy.content.flows import load_flow

pytest_plugins = ("pytester",)


@pytest.fixture(autouse=True)
def inner_ini(pytester: pytest.Pytester) -> None:
    """The inner runs' settings: the loop scope pytest-asyncio asks for, warnings as errors."""
    pytester.makeini(
        "[pytest]\nasyncio_default_fixture_loop_scope = function\nfilterwarnings = error\n"
    )


@pytest.mark.slow
def test_a_passing_and_a_failing_marked_test_with_k_of_n_interval_and_transcripts(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    broken = write_flow(order_id_rejects_customer_format(load_flow(REFUND)), tmp_path / "b.yaml")
    pytester.makepyfile(
        test_bot=f"""
        import pytest
        from understudy.pytest_plugin import assert_rate

        @pytest.mark.understudy(flow={str(REFUND)!r}, persona="calm", n=10, seed=1)
        def test_intact_flow(understudy_batch):
            assert understudy_batch.n == 10 and len(understudy_batch.conversations) == 10
            assert_rate(understudy_batch, "completion", at_least=0.5)

        @pytest.mark.understudy(
            flow={str(broken)!r}, scenario={str(CRYSTAL)!r}, persona="calm", n=10, seed=1
        )
        def test_broken_flow(understudy_batch):
            assert_rate(understudy_batch, "completion", at_least=0.8)
        """
    )
    junit = tmp_path / "junit.xml"
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", f"--junitxml={junit}")
    result.assert_outcomes(passed=1, failed=1)
    out = result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "*completion rate *% (* of 10, 95% interval *%-*%) is below 80%*",
            "*worst conversations:*",
            "*#* * after * customer turns, * fallbacks*",
            "*understudy runs show * --conversation K*",
        ]
    )
    assert "understudy conversation" in out, "failing transcripts are attached to the report"
    assert "customer [" in out and "agent [" in out
    case = next(
        c for c in ET.parse(junit).getroot().iter("testcase") if c.get("name") == "test_broken_flow"
    )
    props = {p.get("name"): p.get("value") for p in case.iter("property")}
    assert props.get("understudy.run_id"), "the run id is a property of the failed test case"
    assert props["understudy.completion_rate"].endswith("/10")


@pytest.mark.slow
def test_command_line_overrides_seed_and_n(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.understudy(flow={str(REFUND)!r}, persona="calm", n=25, seed=1)
        def test_sizes(understudy_batch):
            assert understudy_batch.n == 3
            assert understudy_batch.seed == "7"
            assert [c.seed for c in understudy_batch.conversations] == ["7:0", "7:1", "7:2"]
        """
    )
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--understudy-n", "3", "--understudy-seed", "7"
    )
    result.assert_outcomes(passed=1)


@pytest.mark.slow
def test_the_same_seed_gives_the_same_batch_and_within_noise_does_not_fail(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        f"""
        import pytest
        from understudy.pytest_plugin import assert_rate

        @pytest.mark.understudy(flow={str(REFUND)!r}, persona="typo-prone", n=6, seed=3)
        def test_noise(understudy_batch):
            rate = understudy_batch.metrics.completion_rate
            # just above the observed rate: missed, but within the interval of 6 conversations
            assert_rate(understudy_batch, "completion", at_least=min(1.0, rate.value + 0.1))
            with pytest.raises(AssertionError, match="of 6"):
                assert_rate(understudy_batch, "completion", at_least=rate.high + 0.01)
        """
    )
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


@pytest.mark.slow
def test_misuse_is_reported_clearly(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        def test_unmarked(understudy_batch):
            pass

        @pytest.mark.understudy(persona="calm", size=3)
        def test_bad_marker(understudy_batch):
            pass
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(["*without @pytest.mark.understudy*", "*got size*"])
