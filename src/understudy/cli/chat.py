"""``understudy chat FLOW``: talk to an assistant flow yourself, to investigate one failure.

You type the customer's lines and the flow answers through the same engine a stress test uses
(``understudy.runs.chat``: ``HumanCustomer`` as the customer, ``FlowAgent`` as the agent).
After each agent turn a dim line shows what the flow did: the node it waits at, the intent it
matched and its confidence, the slot it filled, and whether it fell back.

``/quit`` (or end of input) ends the chat; ``/restart`` starts over with a fresh flow.
``--script FILE`` reads the customer's lines from a file instead of the keyboard.
``--from RUN:K`` plays the customer lines of stored conversation K of run RUN against the flow as
it is now, and stops at the first agent turn that differs from the stored one.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.markup import escape

from understudy.cli.apps import app
from understudy.cli.common import console, user_errors
from understudy.errors import ConfigError

if TYPE_CHECKING:
    import asyncio

    from understudy.domain.transcript import Message
    from understudy.engine.events import Event
    from understudy.runs.chat import ChatTarget


CHAT_TIME_LIMIT_S = 24 * 3600.0
"""Time limit of a chat typed by a person, in seconds: a person may pause to read the flow file."""

PROMPT = "you> "


def meta_line(message: Message) -> str:
    """Describe what the flow did on an agent turn, from its ``meta`` and ``fell_back``.

    Returns:
        e.g. ``node ask_order_id · intent get_refund 0.82 · slot username = crystalminh``
        or ``node ask_order_id · no intent matched · FALLBACK 1``.
    """
    meta: dict[str, Any] = message.meta
    parts = [f"node {meta.get('node', '?')}"]
    if "intent" in meta:
        intent = meta["intent"]
        confidence = meta.get("confidence")
        if intent is None and not meta.get("slot"):
            parts.append("no intent matched")
        elif intent is not None and isinstance(confidence, int | float):
            parts.append(f"intent {intent} {confidence:.2f}")
        elif intent is not None:
            parts.append(f"intent {intent}")
    if meta.get("slot"):
        parts.append(f"slot {meta['slot']} = {meta.get('value')}")
    if meta.get("unknown"):
        parts.append(f"customer does not know {meta['unknown']}")
    if meta.get("digression"):
        parts.append("digression answered")
    if message.fell_back:
        parts.append(f"FALLBACK {meta.get('fallbacks', '')}".rstrip())
    else:
        parts.append("no fallback")
    return " · ".join(parts)


class ChatDisplay:
    """Observer printing each message of the chat, with the flow's meta line after agent turns.

    Args:
        echo_customer: also print the customer's lines (they come from a script or a stored
            conversation; a typed line is already on the screen).
    """

    def __init__(self, *, echo_customer: bool) -> None:
        self.echo_customer = echo_customer

    async def on_event(self, event: Event) -> None:
        """Print ``MessageAdded`` events; ignore the others."""
        from understudy.domain.transcript import Role
        from understudy.engine.events import MessageAdded

        if not isinstance(event, MessageAdded):
            return
        message = event.message
        if message.role is Role.customer:
            if self.echo_customer and message.text:
                console.print(f"{PROMPT}{escape(message.text)}", highlight=False, soft_wrap=True)
            return
        console.print(
            f"[bold magenta]bot>[/bold magenta] {escape(message.text)}",
            highlight=False,
            soft_wrap=True,
        )
        console.print(f"     [dim]{escape(meta_line(message))}[/dim]", highlight=False)


def _prompt() -> None:
    console.file.write(PROMPT)
    console.file.flush()


def _start_over() -> None:
    console.print("[cyan]-- starting over --[/cyan]")


async def _chat(target: ChatTarget, script: list[str] | None) -> None:
    import asyncio

    from understudy.cli.stdin import start_stdin_pump
    from understudy.runs.chat import chat as chat_with
    from understudy.simulators.human import QUIT_COMMAND

    queue: asyncio.Queue[str] = asyncio.Queue()
    if script is None:
        start_stdin_pump(queue.put_nowait, asyncio.get_running_loop(), at_end=QUIT_COMMAND)
    else:
        for line in [*script, QUIT_COMMAND]:
            queue.put_nowait(line)
    result = await chat_with(
        target,
        queue,
        observers=[ChatDisplay(echo_customer=script is not None)],
        on_wait=None if script is not None else _prompt,
        on_restart=_start_over,
    )
    console.print(
        f"chat ended: {result.termination_reason.value}: {escape(result.detail)}",
        highlight=False,
    )
    if result.error:
        console.print(f"[red]error[/red]: {escape(result.error)}", highlight=False)


def _replay_from(flow: Path | None, source: str, scenario_file: Path | None) -> None:
    import asyncio

    from understudy.runs.chat import parse_conversation_ref, plan_replay, replay
    from understudy.storage.store import Store

    with user_errors(2):
        run_ref, index = parse_conversation_ref(source)
        plan = plan_replay(Store(), run_ref, index, flow=flow, scenario_file=scenario_file)
    changed = "changed" if plan.changed else "unchanged"
    console.print(
        f"replaying run {plan.run.id} conversation {index} against {escape(plan.info.name)} "
        f"({changed} since the run: sha256 {plan.info.content_hash[:12]})",
        highlight=False,
    )
    done = asyncio.run(replay(plan, observers=[ChatDisplay(echo_customer=True)]))
    customer, result, stored = done.customer, done.result, plan.stored
    total = len(customer.customer_lines)
    console.print(f"played {customer.sent} of {total} stored customer lines", highlight=False)
    if customer.divergence is not None:
        console.print(f"[yellow]{escape(customer.divergence.describe())}[/yellow]", highlight=False)
        return
    if result.error:
        console.print(f"[red]error[/red]: {escape(result.error)}", highlight=False)
    console.print(
        f"no divergence: the flow asked what it asked before. Ending then: "
        f"{stored.termination_reason.value}; now: {result.termination_reason.value} "
        f"({escape(result.detail)})",
        highlight=False,
    )


@app.command("chat")
def chat(
    flow: Path | None = typer.Argument(
        None, help="The assistant flow file (.yaml); with --from, default: the run's flow."
    ),
    scenario: Path | None = typer.Option(
        None, "--scenario", "-s", help="Scenario file (default: the flow's, or a generic one)."
    ),
    script: Path | None = typer.Option(
        None, "--script", help="Read the customer's lines from this file instead of typing."
    ),
    source: str | None = typer.Option(
        None,
        "--from",
        metavar="RUN:K",
        help="Replay the customer lines of stored conversation K of run RUN; stop where the "
        "flow now asks something else.",
    ),
) -> None:
    """Chat with an assistant flow yourself: you type the customer, the flow answers.

    After each answer a dim line shows the node, the matched intent and its confidence, the
    slot filled and whether the flow fell back. /restart starts over, /quit ends.
    """
    import asyncio

    from understudy.runs.chat import chat_target
    from understudy.simulators.human import read_customer_script

    if source is not None:
        _replay_from(flow, source, scenario)
        return
    with user_errors(2):
        if flow is None:
            raise ConfigError("give the flow file to chat with (or --from RUN:K)")
        target = chat_target(str(flow), scenario)
        info, chosen = target.info, target.scenario
        lines = read_customer_script(script) if script is not None else None
    if lines is None:
        chosen = chosen.model_copy(update={"time_limit_s": CHAT_TIME_LIMIT_S})
        target = replace(target, scenario=chosen)
    console.print(
        f"chatting with [bold]{escape(info.name)}[/bold] ({info.version}), scenario "
        f"{escape(chosen.id)}. You are the customer; /restart starts over, /quit ends.",
        highlight=False,
    )
    goal = chosen.goal
    facts = ", ".join(f"{k}: {v}" for k, v in goal.known_info.items())
    console.print(
        f"[dim]reason for calling: {escape(goal.reason_for_call.strip())}"
        + (f"; facts: {escape(facts)}" if facts else "")
        + "[/dim]",
        highlight=False,
    )
    try:
        asyncio.run(_chat(target, lines))
    except KeyboardInterrupt:
        console.print("chat ended (Ctrl-C)")
