"""``understudy runs plot``: a flow's score history with intervals, in the terminal or a file."""

from __future__ import annotations

from pathlib import Path

import typer

from understudy.cli.apps import runs_app
from understudy.cli.common import console, user_errors
from understudy.errors import ConfigError, NotFoundError


@runs_app.command("plot")
def plot_runs(
    flow: str = typer.Option(..., "--flow", help="The flow (name or path) whose runs to plot."),
    persona: str | None = typer.Option(None, "--persona", help="Only runs of this persona id."),
    metric: str = typer.Option(
        "completion", "--metric", "-m", help="Rate to plot: completion, fallback, recovery..."
    ),
    limit: int = typer.Option(30, "--limit", min=1, help="The newest runs to plot at most."),
    png: Path | None = typer.Option(None, "--png", help="Write the chart as PNG to this file."),
    svg: Path | None = typer.Option(None, "--svg", help="Write the chart as SVG to this file."),
) -> None:
    """Plot a metric across the runs of a flow, oldest first, with its 95% intervals.

    In the terminal: the value and both ends of the interval as three lines over the runs.
    --png/--svg write the chart of the HTML report (needs the 'reports' extra). Exit code 2 on an
    unknown metric or flow without runs.
    """
    from understudy.metrics.bands import load_bands
    from understudy.metrics.gates import metric_name
    from understudy.runs.compare import run_metrics
    from understudy.storage.store import Store

    with user_errors(2):
        name = metric_name(metric)
        try:
            from understudy.reports import charts, data, render, terminal
        except ImportError as exc:
            raise ConfigError(str(exc)) from None
        store, bands = Store(), load_bands()
        runs = store.list_runs(flow=flow, persona=persona, limit=limit)
        if not runs:
            raise NotFoundError(
                f"no runs of flow {flow!r}"
                + (f" with persona {persona!r}" if persona else "")
                + "; see `understudy runs list`"
            )
        points = data.history_points([(r, run_metrics(store, r, bands)) for r in runs], name)
        label = name.replace("_", " ")
        if png is not None or svg is not None:
            spec = charts.history_chart(points, label)
            for path, write in ((png, render.to_png), (svg, render.to_svg)):
                if path is None:
                    continue
                path.parent.mkdir(parents=True, exist_ok=True)
                content = write(spec)
                if isinstance(content, bytes):
                    path.write_bytes(content)
                else:
                    path.write_text(content, encoding="utf-8")
                console.print(f"wrote {path}", highlight=False)
            return
        text = terminal.history_plot(points, label, width=console.width, colour=console.is_terminal)
        console.out(text, highlight=False)
