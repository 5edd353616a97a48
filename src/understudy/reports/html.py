"""The HTML report of one or more stress-test runs: one self-contained file, no network needed.

``run_report_html(store, run_ids)`` returns a complete HTML document that holds everything it
shows: CSS inline, charts rendered to inline SVG offline (``understudy.reports.render``, from the
chart specification in ``understudy.reports.charts``), and no script at all, so it opens the same
from an e-mail attachment, a CI artifact or a file share, and prints to PDF as it looks.

Contents, per the report:

- the score per persona over the runs given (each persona's newest run), when more than one
  persona is in them;
- per run: its flow (name, version, content hash), persona, seed and size; every metric with its
  value, k of n, 95% Wilson interval drawn as a bar over 0-100% and its band colour; the score
  history of the run's flow (every stored run of the same flow and persona, oldest first, with
  interval bands); fallback turns by node; where customers leave; and every conversation as a
  collapsible ``<details>`` with each turn's mood, dialogue acts, noisy and clean text, node and
  fallback.

Charts are labelled for screen readers (each mark's ``aria-label`` carries its numbers), which is
also how the browser test checks that they match the stored metrics.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import UTC, datetime

from understudy.domain.transcript import ConversationResult, Role
from understudy.metrics.bands import Band, Bands, load_bands
from understudy.metrics.batch import METRIC_LABELS, BatchMetrics, Rate
from understudy.reports import charts, data
from understudy.reports.render import to_svg
from understudy.runs.compare import run_metrics
from understudy.storage.store import Store
from understudy.storage.tables import RunRow

LABELS = METRIC_LABELS

HISTORY_LIMIT = 30
"""Runs shown at most in a score history (the newest)."""

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1000px;
color:#212121;padding:0 1rem}
h1{font-size:1.5rem}h2{font-size:1.25rem;border-bottom:1px solid #ddd;padding-bottom:.3rem;
margin-top:2.5rem}h3{font-size:1.05rem}
table{border-collapse:collapse;margin:.5rem 0}td,th{padding:.25rem .6rem;text-align:left;
border-bottom:1px solid #eee;vertical-align:top}th{background:#fafafa}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.band{display:inline-block;padding:0 .4rem;border-radius:3px;color:#fff;font-size:.85em}
.band-green{background:#2e7d32}.band-amber{background:#f9a825;color:#000}
.band-red{background:#c62828}.band-na{background:#9e9e9e}
.interval{position:relative;width:160px;height:10px;background:#eee;border-radius:5px}
.interval span{position:absolute;top:0;height:10px;background:#90caf9;border-radius:5px}
.interval b{position:absolute;top:-2px;width:2px;height:14px;background:#0d47a1}
.meta{color:#616161}.chart{margin:1rem 0}.charts{display:flex;flex-wrap:wrap;gap:1rem}
details{border:1px solid #e0e0e0;border-radius:4px;margin:.3rem 0;padding:.2rem .6rem}
summary{cursor:pointer}.turn td{font-size:.92em}.customer{color:#00695c}.agent{color:#6a1b9a}
.clean{color:#757575;font-size:.9em}.fallback{color:#e65100;font-weight:600}
.ending-goal_met{color:#2e7d32}.ending-error{color:#c62828}
@media print{details{break-inside:avoid}details:not([open]) > *:not(summary){display:none}}
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.0f}%"


def _band(band: Band) -> str:
    css = "na" if band is Band.na else band.value
    return f'<span class="band band-{css}">{_e(band.value)}</span>'


def escape_html(text: object) -> str:
    """``text`` as HTML text (quotes escaped too, so it is safe in attributes)."""
    return _e(text)


def percent(value: float | None) -> str:
    """A proportion as a whole percentage, or ``n/a``."""
    return _pct(value)


def chart_figure(spec: dict[str, object], name: str) -> str:
    """A chart spec rendered offline to inline SVG inside ``<figure data-chart=name>``."""
    return _chart(spec, name)


def _interval_bar(rate: Rate) -> str:
    if rate.low is None or rate.high is None or rate.value is None:
        return ""
    left, width = rate.low * 100, (rate.high - rate.low) * 100
    return (
        f'<div class="interval" role="img" aria-label="95% interval {_pct(rate.low)} to '
        f'{_pct(rate.high)}"><span style="left:{left:.1f}%;width:{width:.1f}%"></span>'
        f'<b style="left:calc({rate.value * 100:.1f}% - 1px)"></b></div>'
    )


def metrics_table(metrics: BatchMetrics) -> str:
    """An HTML table of every metric: value, k of n, 95% interval (numbers and a bar), band."""
    rows = []
    for name, rate in metrics.rates().items():
        interval = "n/a" if rate.low is None else f"{_pct(rate.low)}-{_pct(rate.high)}"
        rows.append(
            f'<tr data-metric="{name}"><td>{_e(LABELS[name])}</td>'
            f'<td class="num">{_pct(rate.value)}</td><td class="num">{rate.k} / {rate.n}</td>'
            f'<td class="num">{interval}</td><td>{_interval_bar(rate)}</td>'
            f"<td>{_band(rate.band)}</td></tr>"
        )
    mean = metrics.mean_turns_to_completion
    shown = "n/a" if mean.value is None else f"{mean.value:.1f}"
    spread = "" if mean.sd is None else f"sd {mean.sd:.1f}"
    rows.append(
        f'<tr data-metric="mean_turns_to_completion"><td>{LABELS["mean_turns_to_completion"]}'
        f'</td><td class="num">{shown}</td><td class="num">n = {mean.n}</td>'
        f'<td class="num">{spread}</td><td></td><td>{_band(mean.band)}</td></tr>'
    )
    head = (
        "<tr><th>metric</th><th>value</th><th>k / n</th><th>95% interval</th><th></th>"
        "<th>band</th></tr>"
    )
    return f'<table class="metrics">{head}{"".join(rows)}</table>'


def _chart(spec: dict[str, object], name: str) -> str:
    return f'<figure class="chart" data-chart="{name}">{to_svg(spec)}</figure>'


def _turns(result: ConversationResult) -> str:
    rows = []
    for m in result.messages:
        if m.role is Role.customer:
            acts = ", ".join(str(a) for a in m.acts) or "-"
            mood = m.mood.value if m.mood else ""
            clean = f'<div class="clean">clean: {_e(m.clean_text or "")}</div>' if m.noisy else ""
            rows.append(
                f'<tr class="turn"><td>{m.index}</td><td class="customer">customer</td>'
                f"<td>{_e(mood)}</td><td>{_e(acts)}</td><td>{_e(m.text)}{clean}</td></tr>"
            )
        else:
            flags = []
            if m.fell_back:
                flags.append('<span class="fallback">fallback</span>')
            node = m.meta.get("node")
            if node:
                flags.append(f"node {_e(node)}")
            intent = m.meta.get("intent")
            if intent:
                flags.append(f"intent {_e(intent)}")
            rows.append(
                f'<tr class="turn"><td>{m.index}</td><td class="agent">agent</td><td></td>'
                f"<td>{' '.join(flags)}</td><td>{_e(m.text)}</td></tr>"
            )
    head = "<tr><th>#</th><th>who</th><th>mood</th><th>acts / node</th><th>text</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>"


def _conversation(index: int, result: ConversationResult) -> str:
    reason = result.termination_reason.value
    moods = " → ".join(m.value for m in result.moods)
    error = f'<p class="ending-error">error: {_e(result.error)}</p>' if result.error else ""
    return (
        f'<details data-index="{index}"><summary>#{index} '
        f'<span class="ending-{_e(reason)}">{_e(reason)}</span>, '
        f"{result.customer_turns} customer turns, {result.fallback_turns} fallbacks"
        f"{', off-topic' if result.off_topic else ''}</summary>"
        f'<p class="meta">{_e(result.detail)}</p>{error}'
        f'<p class="meta">seed {_e(result.seed)}; moods: {_e(moods) or "-"}</p>'
        f"{_turns(result)}</details>"
    )


def _when(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _history(store: Store, run: RunRow, bands: Bands) -> list[tuple[RunRow, BatchMetrics]]:
    same = [
        r
        for r in store.list_runs(persona=run.persona_id)
        if r.agent_kind == run.agent_kind
        and r.agent_ref == run.agent_ref
        and r.agent_name == run.agent_name
    ]
    same = sorted(same, key=lambda r: (r.created_at, r.id))[-HISTORY_LIMIT:]
    return [(r, run_metrics(store, r, bands)) for r in same]


def _run_section(store: Store, run: RunRow, bands: Bands) -> str:
    metrics = run_metrics(store, run, bands)
    results = [
        (row.index, store.get_conversation(run.id, row.index)[1])
        for row in store.conversations(run.id)
    ]
    name = run.agent_name or run.agent_ref
    version = f" ({run.agent_version})" if run.agent_version else ""
    history = _history(store, run, bands)
    figures = [
        _chart(
            charts.history_chart(data.history_points(history, "completion_rate"), "completion"),
            "history",
        ),
    ]
    only = [r for _, r in results]
    by_node = data.fallback_nodes(only)
    if by_node:
        figures.append(_chart(charts.fallback_nodes_chart(by_node), "fallback-nodes"))
    left = data.leave_points(only)
    if left:
        figures.append(_chart(charts.leave_points_chart(left), "leave-points"))
    conversations = "".join(_conversation(i, r) for i, r in results)
    return (
        f'<section class="run" id="run-{_e(run.id)}" data-run="{_e(run.id)}">'
        f"<h2>run {_e(run.id)}: {_e(name)}{_e(version)}, persona {_e(run.persona_id)}</h2>"
        f'<p class="meta">{_e(run.status)}; started {_when(run.created_at)}; flow '
        f"<code>{_e(run.agent_ref)}</code> sha256 <code>{_e(run.agent_hash[:12])}</code>; "
        f"scenario {_e(', '.join(run.scenario_ids))}; simulator {_e(run.simulator_kind)}; "
        f"seed {_e(run.seed)}; {len(results)} of {run.n} conversations stored</p>"
        f"<h3>metrics</h3>{metrics_table(metrics)}"
        f'<p class="meta">bands: green, amber and red by the thresholds in force; each rate '
        f"with k of n and its 95% Wilson interval (bar: interval, tick: value).</p>"
        f'<h3>charts</h3><div class="charts">{"".join(figures)}</div>'
        f"<h3>conversations</h3>{conversations}</section>"
    )


def page(title: str, body: str) -> str:
    """Wrap ``body`` in a complete, self-contained HTML document (inline CSS, no scripts)."""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{CSS}</style></head>"
        f"<body><h1>{_e(title)}</h1>{body}"
        f'<footer class="meta"><p>understudy report, generated '
        f"{_when(datetime.now(UTC))}</p></footer></body></html>"
    )


def run_report_html(store: Store, run_ids: Sequence[str], bands: Bands | None = None) -> str:
    """Build the HTML report of the runs named by ``run_ids`` (ids, prefixes or ``last``).

    Args:
        store: where the runs are stored.
        run_ids: one or more run references, shown in the order given.
        bands: thresholds in force; the user's configuration when None.

    Returns:
        A complete HTML document (text) that needs no network to open.

    Raises:
        NotFoundError: a run reference names no run.
    """
    bands = bands if bands is not None else load_bands()
    runs = [store.get_run(ref) for ref in run_ids]
    parts = []
    personas = {r.persona_id for r in runs}
    if len(personas) > 1:
        pairs = [(r, run_metrics(store, r, bands)) for r in runs]
        parts.append(
            "<h2>score per persona</h2>"
            + _chart(
                charts.persona_chart(data.persona_scores(pairs, "completion_rate"), "completion"),
                "personas",
            )
        )
    parts += [_run_section(store, r, bands) for r in runs]
    title = "understudy report: " + ", ".join(f"run {r.id}" for r in runs)
    return page(title, "".join(parts))
