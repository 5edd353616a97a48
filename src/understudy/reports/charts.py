"""The one chart specification of understudy: Vega-Lite specs built with Altair.

Every chart that understudy draws (in the HTML report, the PDF and the web app) comes from a
function here, so a chart looks and means the same wherever it is shown. Each function takes plain
values (the dataclasses below, built from stored runs by ``understudy.reports.data``) and returns a
Vega-Lite v5 specification as a JSON-ready ``dict`` with its data inlined. To show one:

- in a browser, hand the dict to vega-embed (the web app does);
- in a file, render it to SVG offline with ``understudy.reports.render.to_svg`` (vl-convert).

Rates are proportions in ``[0, 1]`` drawn with their 95% Wilson interval (``low``..``high``) as
an error bar or band; the band colours follow the metric bands (green, amber, red;
``understudy.metrics.bands``).

Functions:

========================================  ===================================================
``persona_chart(scores, metric)``         one bar per persona with its interval
``history_chart(points, metric)``         a metric across runs of one flow, interval as a band
``fallback_nodes_chart(counts)``          fallback turns per flow node
``leave_points_chart(counts)``            where customers leave: last node before they quit
``criteria_chart(criteria)``              a practice attempt's score per rubric criterion
``team_chart(rows)``                      the team report: attempts and mean grade per trainee
========================================  ===================================================

Raises:
    ImportError: the ``reports`` extra (Altair) is not installed; the message names the command
        that installs it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from understudy.metrics.bands import Band

try:
    import altair as alt
except ImportError as missing:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "charts need the 'reports' extra: pip install 'understudy[reports]'"
    ) from missing

BAND_COLOURS: dict[str, str] = {
    Band.green.value: "#2e7d32",
    Band.amber.value: "#f9a825",
    Band.red.value: "#c62828",
    Band.na.value: "#9e9e9e",
}
"""Fill colour of each metric band (the same in every chart and in the HTML report)."""

WIDTH = 560
"""Default chart width in pixels."""


@dataclass(frozen=True)
class RateValue:
    """A rate with its interval, as one chart mark shows it.

    Attributes:
        label: what the mark stands for (a persona id, a run id...).
        value: ``k / n`` in ``[0, 1]``, or None when ``n`` is 0 (not drawn).
        k: numerator.
        n: denominator.
        low: lower end of the 95% Wilson interval.
        high: upper end of the 95% Wilson interval.
        band: green, amber, red or n/a.
    """

    label: str
    value: float | None
    k: int
    n: int
    low: float | None
    high: float | None
    band: str = Band.na.value


@dataclass(frozen=True)
class HistoryPoint:
    """One run of a flow in a score history.

    Attributes:
        run_id: the run's id.
        when: ISO 8601 start time of the run (UTC).
        persona: persona id of the run.
        flow_hash: first 12 hex digits of the flow's content hash (its version).
        rate: the metric's value in that run.
    """

    run_id: str
    when: str
    persona: str
    flow_hash: str
    rate: RateValue


@dataclass(frozen=True)
class CriterionScore:
    """A practice attempt's score on one rubric criterion.

    Attributes:
        criterion: criterion id.
        score: score in ``[0, 1]``, or None when not graded.
        pass_mark: the score needed to pass the criterion.
        weight: the criterion's weight in the overall grade.
    """

    criterion: str
    score: float | None
    pass_mark: float
    weight: float = 1.0


@dataclass(frozen=True)
class TraineeRow:
    """One trainee in the team report.

    Attributes:
        trainee: trainee name.
        attempts: attempts in the period.
        mean_grade: mean overall grade in ``[0, 1]``, or None without a graded attempt.
    """

    trainee: str
    attempts: int
    mean_grade: float | None


def _data(rows: list[dict[str, Any]]) -> Any:
    """Inline data of a chart (the rows travel inside the spec; nothing is fetched)."""
    return alt.Data(values=rows)  # type: ignore[no-untyped-call]


def _rate_rows(rates: Sequence[RateValue]) -> list[dict[str, Any]]:
    return [asdict(r) for r in rates if r.value is not None]


def _band_colour() -> alt.Color:
    return alt.Color(
        "band:N",
        scale=alt.Scale(domain=list(BAND_COLOURS), range=list(BAND_COLOURS.values())),
        legend=alt.Legend(title="band"),
    )


def _percent_axis(title: str) -> alt.Y:
    return alt.Y(
        "value:Q",
        title=title,
        scale=alt.Scale(domain=[0, 1]),
        axis=alt.Axis(format="%"),
    )


def _spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    spec: dict[str, Any] = chart.to_dict()
    return spec


def persona_chart(scores: Sequence[RateValue], metric: str = "completion rate") -> dict[str, Any]:
    """Score per persona: one bar per persona, coloured by band, with its 95% interval.

    Args:
        scores: one ``RateValue`` per persona (``label`` is the persona id); rates with no
            value are left out.
        metric: the metric's display name (the y-axis title).

    Returns:
        A Vega-Lite spec (``dict``) with the data inlined.
    """
    data = _data(_rate_rows(scores))
    base = alt.Chart(data).encode(x=alt.X("label:N", title="persona", sort=None))
    bars = base.mark_bar().encode(
        y=_percent_axis(metric),
        color=_band_colour(),
        tooltip=[
            alt.Tooltip("label:N", title="persona"),
            alt.Tooltip("value:Q", format=".0%"),
            alt.Tooltip("k:Q"),
            alt.Tooltip("n:Q"),
            alt.Tooltip("low:Q", format=".0%"),
            alt.Tooltip("high:Q", format=".0%"),
        ],
    )
    whiskers = base.mark_rule(color="black").encode(y="low:Q", y2="high:Q")
    chart = (bars + whiskers).properties(
        width=alt.Step(48), height=240, title=f"{metric} per persona (95% interval)"
    )
    return _spec(chart)


def history_chart(
    points: Sequence[HistoryPoint], metric: str = "completion rate"
) -> dict[str, Any]:
    """Score history of a flow: the metric across runs, oldest first, with its interval band.

    Each run is one point (coloured by persona) on a line in run order; the shaded area is the
    95% Wilson interval, so a rise that stays inside the previous band is not yet a result. The
    x-axis is the run (``run_id``, in the order given) rather than time, so runs minutes apart
    stay readable; the tooltip gives the time and the flow's content hash.

    Args:
        points: runs in the order to draw (oldest first); points with no value are left out.
        metric: the metric's display name (the y-axis title).

    Returns:
        A Vega-Lite spec (``dict``) with the data inlined.
    """
    rows = [
        {
            "run_id": p.run_id,
            "when": p.when,
            "persona": p.persona,
            "flow_hash": p.flow_hash,
            **asdict(p.rate),
        }
        for p in points
        if p.rate.value is not None
    ]
    order = [row["run_id"] for row in rows]
    base = alt.Chart(_data(rows)).encode(
        x=alt.X("run_id:N", title="run (oldest first)", sort=order)
    )
    band = base.mark_area(opacity=0.2, color="#1565c0").encode(y="low:Q", y2="high:Q")
    line = base.mark_line(color="#1565c0").encode(y=_percent_axis(metric))
    dots = base.mark_point(filled=True, size=70).encode(
        y="value:Q",
        color=alt.Color("persona:N", legend=alt.Legend(title="persona")),
        tooltip=[
            alt.Tooltip("run_id:N", title="run"),
            alt.Tooltip("when:N"),
            alt.Tooltip("persona:N"),
            alt.Tooltip("flow_hash:N", title="flow version"),
            alt.Tooltip("value:Q", format=".0%"),
            alt.Tooltip("k:Q"),
            alt.Tooltip("n:Q"),
            alt.Tooltip("low:Q", format=".0%"),
            alt.Tooltip("high:Q", format=".0%"),
        ],
    )
    chart = (band + line + dots).properties(
        width=WIDTH, height=240, title=f"{metric} across runs (95% interval)"
    )
    return _spec(chart)


def _count_chart(counts: Mapping[str, int], field: str, title: str, colour: str) -> dict[str, Any]:
    rows = [
        {field: key, "count": value}
        for key, value in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]
    chart = (
        alt.Chart(_data(rows))
        .mark_bar(color=colour)
        .encode(
            y=alt.Y(f"{field}:N", title=field, sort=None),
            x=alt.X("count:Q", title="count", axis=alt.Axis(tickMinStep=1)),
            tooltip=[alt.Tooltip(f"{field}:N"), alt.Tooltip("count:Q")],
        )
        .properties(width=WIDTH - 160, height=max(40, 22 * len(rows)), title=title)
    )
    return _spec(chart)


def fallback_nodes_chart(counts: Mapping[str, int]) -> dict[str, Any]:
    """Fallback turns by node: how often the assistant fell back at each flow node.

    Args:
        counts: fallback turns per node id (``understudy.reports.data.fallback_nodes``).

    Returns:
        A Vega-Lite spec: horizontal bars, most fallbacks first.
    """
    return _count_chart(counts, "node", "fallback turns by node", "#ef6c00")


def leave_points_chart(counts: Mapping[str, int]) -> dict[str, Any]:
    """Where customers leave: conversations ended by the customer, by the last node reached.

    Args:
        counts: conversations per node id (``understudy.reports.data.leave_points``).

    Returns:
        A Vega-Lite spec: horizontal bars, most departures first.
    """
    return _count_chart(counts, "node", "where customers leave (last node)", "#6a1b9a")


def criteria_chart(criteria: Sequence[CriterionScore]) -> dict[str, Any]:
    """A practice attempt's grade: score per rubric criterion with its pass mark as a tick.

    Args:
        criteria: one score per criterion, in rubric order; ungraded ones are left out.

    Returns:
        A Vega-Lite spec: bars green when the score reaches the pass mark, red when not.
    """
    rows = [
        {**asdict(c), "passed": "pass" if (c.score or 0) >= c.pass_mark else "fail"}
        for c in criteria
        if c.score is not None
    ]
    base = alt.Chart(_data(rows)).encode(y=alt.Y("criterion:N", title="criterion", sort=None))
    bars = base.mark_bar().encode(
        x=alt.X("score:Q", title="score", scale=alt.Scale(domain=[0, 1])),
        color=alt.Color(
            "passed:N",
            scale=alt.Scale(
                domain=["pass", "fail"], range=[BAND_COLOURS["green"], BAND_COLOURS["red"]]
            ),
            legend=alt.Legend(title=""),
        ),
        tooltip=["criterion:N", alt.Tooltip("score:Q", format=".2f"), "pass_mark:Q", "weight:Q"],
    )
    marks = base.mark_tick(color="black", thickness=2).encode(x="pass_mark:Q")
    chart = (bars + marks).properties(
        width=WIDTH - 160, height=max(40, 26 * len(rows)), title="score per criterion"
    )
    return _spec(chart)


def team_chart(rows: Sequence[TraineeRow]) -> dict[str, Any]:
    """The team report: attempts per trainee, coloured by mean grade.

    Args:
        rows: one per trainee.

    Returns:
        A Vega-Lite spec: horizontal bars of attempts, the colour scale from red (0) to green (1).
    """
    values = [asdict(r) for r in rows]
    chart = (
        alt.Chart(_data(values))
        .mark_bar()
        .encode(
            y=alt.Y("trainee:N", title="trainee", sort=None),
            x=alt.X("attempts:Q", title="attempts", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color(
                "mean_grade:Q",
                title="mean grade",
                scale=alt.Scale(domain=[0, 1], range=[BAND_COLOURS["red"], BAND_COLOURS["green"]]),
            ),
            tooltip=["trainee:N", "attempts:Q", alt.Tooltip("mean_grade:Q", format=".2f")],
        )
        .properties(width=WIDTH - 160, height=max(40, 26 * len(values)), title="team")
    )
    return _spec(chart)


def weakest_criteria_chart(rows: Sequence[tuple[str, float, int]]) -> dict[str, Any]:
    """Where the team is weakest: mean score per rubric criterion, lowest first.

    Args:
        rows: ``(criterion id, mean score 0..1, graded attempts)``, weakest first.

    Returns:
        A Vega-Lite spec: horizontal bars, coloured from red (0) to green (1).
    """
    values = [{"criterion": c, "mean": m, "graded": n} for c, m, n in rows]
    chart = (
        alt.Chart(_data(values))
        .mark_bar()
        .encode(
            y=alt.Y("criterion:N", title="criterion", sort=None),
            x=alt.X("mean:Q", title="mean score", scale=alt.Scale(domain=[0, 1])),
            color=alt.Color(
                "mean:Q",
                title="mean score",
                scale=alt.Scale(domain=[0, 1], range=[BAND_COLOURS["red"], BAND_COLOURS["green"]]),
            ),
            tooltip=["criterion:N", alt.Tooltip("mean:Q", format=".2f"), "graded:Q"],
        )
        .properties(width=WIDTH - 160, height=max(40, 26 * len(values)), title="weakest criteria")
    )
    return _spec(chart)
