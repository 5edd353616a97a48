"""``understudy serve``: run the web app (needs the ``web`` extra)."""

from __future__ import annotations

import typer

from understudy.cli.apps import app
from understudy.cli.common import console, user_errors
from understudy.errors import ConfigError

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@app.command("serve")
def serve_command(
    host: str = typer.Option("127.0.0.1", help="Address to bind; loopback by default."),
    port: int = typer.Option(8000, min=1, max=65535, help="TCP port."),
    workers: int = typer.Option(
        1,
        "--workers",
        "-w",
        min=0,
        help="Processes playing a Stress-test (0: one per core). One is fastest for the panel's "
        "10 to 50 offline conversations: starting a pool costs more than it saves.",
    ),
) -> None:
    """Serve the web app (sign-in needed): personas, scenarios, practice calls, stress-tests.

    Uses the same UNDERSTUDY_HOME, database and content folders as the other commands, so
    what one writes the other shows.
    """
    with user_errors():
        try:
            import uvicorn

            from understudy.web import create_app
        except ImportError as exc:
            raise ConfigError(
                f"the web app needs the web extra ({exc.name} is missing): "
                "pip install 'understudy[web]'"
            ) from exc
        from understudy.voice.services import load_voice_settings

        load_voice_settings()  # a broken voice: section (a key variable unset) stops it here
    where = "only this machine can reach it" if host in LOOPBACK else "reachable from the network"
    console.print(f"understudy web app on http://{host}:{port} ({where})", highlight=False)
    from understudy.cli.users import FIRST_ADMIN
    from understudy.teams.accounts import accounts_exist

    with user_errors():
        first_run = not accounts_exist()
    if first_run:
        console.print(
            "No user account exists yet, so nobody can sign in. Create the first administrator "
            f"first: {FIRST_ADMIN}",
            highlight=False,
        )
    uvicorn.run(create_app(workers), host=host, port=port, log_level="warning")
