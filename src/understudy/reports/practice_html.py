"""HTML reports of practice: one attempt (score per criterion, transcript) and the team report.

The same page shape and chart specification as the stress-test report
(``understudy.reports.html``, ``understudy.reports.charts``): self-contained, no script, charts
as inline SVG rendered offline.
"""

from __future__ import annotations

from understudy.domain.transcript import Role
from understudy.reports import charts
from understudy.reports.html import chart_figure, escape_html, page, percent
from understudy.storage.attempt_records import AttemptRecord
from understudy.storage.usage import UsageReport


def attempt_report_html(record: AttemptRecord) -> str:
    """The HTML report of one practice attempt: grade per criterion with rationale and evidence,
    coach reviews, and the transcript with the customer's moods and acts."""
    e = escape_html
    grade = record.effective_grade()
    parts = [
        f'<p class="meta">#{record.number} of {e(record.trainee)} on {e(record.scenario_id)}; '
        f"persona {e(record.persona_id)}; started "
        f"{record.started_at:%Y-%m-%d %H:%M} UTC; {record.duration_s:.0f} s; "
        f"{e(record.status)}; ended {e(record.termination_reason)}: {e(record.detail)}</p>"
    ]
    if grade is None:
        parts.append(f"<h2>evaluation</h2><p>Not graded ({e(record.evaluation_status)}).</p>")
    else:
        scores = [
            charts.CriterionScore(c.id, c.score, c.pass_mark, c.weight) for c in grade.criteria
        ]
        rows = "".join(
            f'<tr data-criterion="{e(c.id)}"><td>{e(c.id)}{" (fatal)" if c.fatal else ""}</td>'
            f'<td class="num">{percent(c.score)}</td><td class="num">{c.weight:g}</td>'
            f"<td>{e(c.rationale)}"
            + "".join(
                f'<div class="clean">turn {q.turn} ({e(q.role.value)}): "{e(q.quote)}"</div>'
                for q in c.evidence
            )
            + "</td></tr>"
            for c in grade.criteria
        )
        parts.append(
            f"<h2>evaluation: {percent(grade.overall)} overall</h2>"
            + chart_figure(charts.criteria_chart(scores), "criteria")
            + "<table><tr><th>criterion</th><th>score</th><th>weight</th>"
            f"<th>rationale and evidence</th></tr>{rows}</table>"
        )
    for review in record.reviews:
        overrides = ", ".join(f"{k}={v:g}" for k, v in review.overrides.items())
        parts.append(
            f"<p><b>{e(review.coach)}</b> ({review.created_at:%Y-%m-%d %H:%M}): {e(review.note)}"
            + (f' <span class="meta">overrides {e(overrides)}</span>' if overrides else "")
            + "</p>"
        )
    turns = []
    for m in record.messages:
        who = "customer" if m.role is Role.customer else "trainee"
        mood = m.mood.value if m.mood else ""
        acts = ", ".join(str(a) for a in m.acts)
        turns.append(
            f'<tr class="turn"><td>{m.index}</td><td class="{m.role.value}">{who}</td>'
            f"<td>{e(mood)}</td><td>{e(acts)}</td><td>{e(m.text)}</td></tr>"
        )
    parts.append(
        "<h2>transcript</h2><table><tr><th>#</th><th>who</th><th>mood</th><th>acts</th>"
        f"<th>text</th></tr>{''.join(turns)}</table>"
    )
    return page(f"understudy attempt {record.id}", "".join(parts))


def team_report_html(report: UsageReport) -> str:
    """The HTML team report: attempts and mean grade per trainee (chart and table) and usage per
    scenario, for the window of ``report``."""
    e = escape_html
    window = f"since {report.since}" if report.since else "all time"
    rows = [charts.TraineeRow(t.trainee, t.attempts, t.mean_grade) for t in report.trainees]
    trainees = "".join(
        f'<tr data-trainee="{e(t.trainee)}"><td>{e(t.trainee)}</td>'
        f'<td class="num">{t.sessions}</td><td class="num">{t.todo}</td>'
        f'<td class="num">{t.overdue}</td><td class="num">{t.attempts}</td>'
        f'<td class="num">{percent(t.mean_grade)}</td></tr>'
        for t in report.trainees
    )
    scenarios = "".join(
        f'<tr data-scenario="{e(s.scenario_id)}"><td>{e(s.scenario_id)}</td>'
        f'<td class="num">{s.participants}</td><td class="num">{s.todo}</td>'
        f'<td class="num">{s.completed}</td><td class="num">{s.overdue}</td>'
        f'<td class="num">{s.attempts}</td><td class="num">{percent(s.mean_grade)}</td></tr>'
        for s in report.scenarios
    )
    body = (
        f'<p class="meta">report date {report.today}; {e(window)}</p>'
        + (chart_figure(charts.team_chart(rows), "team") if rows else "")
        + "<h2>trainees</h2><table><tr><th>trainee</th><th>sessions</th><th>to do</th>"
        f"<th>overdue</th><th>attempts</th><th>mean grade</th></tr>{trainees}</table>"
        "<h2>scenarios</h2><table><tr><th>scenario</th><th>participants</th><th>to do</th>"
        "<th>completed</th><th>overdue</th><th>attempts</th><th>mean grade</th></tr>"
        f"{scenarios}</table>"
    )
    return page("understudy team report", body)
