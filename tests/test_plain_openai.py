"""Plain chat requests skip the OpenAI SDK's body transform and still put the same JSON on the
wire, with the key, through the same retries and parsing; anything else goes through the SDK."""

from __future__ import annotations

from typing import Any

import pytest
from openai import AsyncOpenAI
from pydantic_ai.direct import model_request
from pydantic_ai.messages import (
    ModelRequest,
    ModelResponse,
    SystemPromptPart,
    TextPart,
    UserPromptPart,
)
from pydantic_ai.models.openai import OpenAIChatModel
from pydantic_ai.providers.openai import OpenAIProvider

from understudy.llm.plain_openai import PlainChatOpenAI, plain_body
from understudy.llm.testing import ChatServer, Reply

CONVERSATION = [
    ModelRequest(parts=[SystemPromptPart("You are a customer."), UserPromptPart("Hello there.")]),
    ModelResponse(parts=[TextPart("Hi, I want a refund for order 12.")]),
    ModelRequest(parts=[UserPromptPart('Which order? Café crème, 5 € — "quoted".')]),
]


async def _sent(client: AsyncOpenAI) -> str:
    model = OpenAIChatModel("tiny", provider=OpenAIProvider(openai_client=client))
    settings: Any = {"temperature": 0.7, "max_tokens": 40, "seed": 123}
    response = await model_request(model, CONVERSATION, model_settings=settings)
    text = response.parts[0]
    assert isinstance(text, TextPart)
    return text.content


async def test_a_plain_request_sends_the_same_json_as_the_sdk_with_the_key() -> None:
    with ChatServer(lambda request: Reply("Sure."), api_key="sk-local") as server:
        for kind in (AsyncOpenAI, PlainChatOpenAI):
            client = kind(base_url=server.base_url, api_key="sk-local", max_retries=0)
            try:
                text = await _sent(client)
            finally:
                await client.close()
            assert text == "Sure.", f"{kind.__name__} got the answer (the key was accepted)"
        sdk, plain = server.requests
    assert plain == sdk, "the same request body on the wire"
    assert plain["messages"][2]["content"].startswith("Hi, I want a refund")


def test_requests_with_tools_streams_or_structured_content_are_not_plain() -> None:
    messages = [{"role": "user", "content": "hi"}]
    assert plain_body({"model": "m", "messages": messages, "seed": 1}) is not None
    assert plain_body({"model": "m", "messages": messages, "stream": True}) is None
    assert plain_body({"model": "m", "messages": messages, "tools": [{"type": "function"}]}) is None
    parts = [{"role": "user", "content": [{"type": "text", "text": "hi"}]}]
    assert plain_body({"model": "m", "messages": parts}) is None


async def test_a_request_with_tools_still_goes_through_the_sdk() -> None:
    tool = {"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}
    with ChatServer(lambda request: Reply("no tool needed")) as server:
        client = PlainChatOpenAI(base_url=server.base_url, api_key="k", max_retries=0)
        try:
            answer = await client.chat.completions.create(
                model="tiny", messages=[{"role": "user", "content": "hi"}], tools=[tool]
            )
        finally:
            await client.close()
    assert answer.choices[0].message.content == "no tool needed"
    assert server.requests[0]["tools"] == [tool]


async def test_without_the_sdk_internals_requests_take_the_sdk_path_with_the_same_json(
    monkeypatch: Any,
) -> None:
    import openai._base_client
    from openai.resources.chat.completions import AsyncCompletions

    from understudy.llm import plain_openai

    monkeypatch.delattr(openai._base_client, "make_request_options")
    assert plain_openai.sdk_internals() is None, "a release without the internal is noticed"
    monkeypatch.undo()
    assert plain_openai.sdk_internals() is not None

    through_sdk: list[str] = []
    sdk_create = AsyncCompletions.create

    async def counted(self: Any, **params: Any) -> Any:
        through_sdk.append(params["model"])
        return await sdk_create(self, **params)

    monkeypatch.setattr(AsyncCompletions, "create", counted)
    with ChatServer(lambda request: Reply("Sure."), api_key="sk-local") as server:
        for missing in (False, True):
            if missing:
                monkeypatch.setattr(plain_openai, "REQUEST_OPTIONS", None)
            client = PlainChatOpenAI(base_url=server.base_url, api_key="sk-local", max_retries=0)
            try:
                assert await _sent(client) == "Sure."
            finally:
                await client.close()
        plain, fallback = server.requests
    assert through_sdk == ["tiny"], "only the request without the internals went through the SDK"
    assert fallback == plain, "the same request body on the wire either way"


async def test_models_talk_to_the_server_over_aiohttp_and_close_cleanly() -> None:
    from openai._vendor.httpx_aiohttp import AiohttpTransport

    from understudy.llm.run import LLMRun
    from understudy.llm.settings import LLMSettings

    with ChatServer(lambda request: Reply("Over aiohttp.")) as server:
        run = LLMRun(LLMSettings(base_url=server.base_url, max_retries=0), cache=False)
        model = run.model("openai-compatible:tiny", "c1")
        client = next(iter(run._clients.values()))
        assert isinstance(client._client._transport, AiohttpTransport)
        response = await model_request(model, CONVERSATION)
        await run.aclose()
    text = response.parts[0]
    assert isinstance(text, TextPart) and text.content == "Over aiohttp."
    assert client.is_closed()
    assert run.usage.requests == 1


def test_without_aiohttp_the_client_keeps_the_sdks_httpx_pool(monkeypatch: Any) -> None:
    import openai

    from understudy.llm.plain_openai import http_client

    assert http_client(5.0) is not None

    class Missing:  # what the SDK offers when aiohttp is not installed
        def __init__(self, **_kwargs: Any) -> None:
            raise RuntimeError("To use the aiohttp client you must have installed the package")

    monkeypatch.setattr(openai, "DefaultAioHttpClient", Missing)
    assert http_client(5.0) is None


async def test_answers_are_read_as_the_sdk_reads_them() -> None:
    answers = []
    with ChatServer(lambda request: Reply("Order 12 is refunded.")) as server:
        for kind in (AsyncOpenAI, PlainChatOpenAI):
            client = kind(base_url=server.base_url, api_key="k", max_retries=0)
            try:
                answers.append(
                    await client.chat.completions.create(
                        model="tiny", messages=[{"role": "user", "content": "refund?"}], seed=4
                    )
                )
            finally:
                await client.close()
    sdk, plain = answers
    assert type(plain) is type(sdk)
    assert plain.model_dump() == sdk.model_dump()
    assert plain.choices[0].message.content == "Order 12 is refunded."


def test_an_answer_missing_fields_is_still_read() -> None:
    from understudy.llm.plain_openai import read_completion

    sparse = b'{"id": "x", "choices": [{"message": {"role": "assistant", "content": "hi"}}]}'
    answer = read_completion(sparse)
    assert answer.choices[0].message.content == "hi"
    assert answer.usage is None


@pytest.mark.parametrize("dropped", ["after its event loop ended", "while its loop runs"])
def test_a_run_never_closed_lets_its_connections_go_quietly(caplog: Any, dropped: str) -> None:
    """aiohttp complains (a warning and an error logged) about a session dropped open; the SDK's
    httpx client does not. The socket's own ResourceWarning is left as with httpx."""
    import asyncio
    import gc
    import warnings

    from understudy.llm.run import LLMRun
    from understudy.llm.settings import LLMSettings

    async def talk(base_url: str) -> str:
        run = LLMRun(LLMSettings(base_url=base_url, max_retries=0), cache=False)
        model = run.model("openai-compatible:tiny", "c1")
        text = (await model_request(model, CONVERSATION)).parts[0]
        assert isinstance(text, TextPart)
        return text.content  # the run is dropped without run.aclose()

    async def talk_then_collect(base_url: str) -> str:
        said = await talk(base_url)
        gc.collect()  # a long-lived loop (a web server) collects the dropped run
        await asyncio.sleep(0.05)
        return said

    with (
        ChatServer(lambda request: Reply("Hi.")) as server,
        caplog.at_level("ERROR", logger="asyncio"),
        warnings.catch_warnings(record=True) as seen,
    ):
        warnings.simplefilter("always")
        play = talk if dropped.startswith("after") else talk_then_collect
        assert asyncio.run(play(server.base_url)) == "Hi."
        gc.collect()
    complaints = [str(w.message) for w in seen] + [r.getMessage() for r in caplog.records]
    assert [c for c in complaints if "Unclosed" in c] == [], "no session or connector left open"
