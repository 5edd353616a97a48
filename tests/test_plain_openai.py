"""Plain chat requests skip the OpenAI SDK's body transform and still put the same JSON on the
wire, with the key, through the same retries and parsing; anything else goes through the SDK."""

from __future__ import annotations

from typing import Any

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
