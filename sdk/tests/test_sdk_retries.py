"""Retries: connection errors, 429 (honouring Retry-After) and 5xx, never other 4xx, and a run create is
never sent twice once the server may have accepted it."""

from __future__ import annotations

import email.utils
import time

import httpx
import pytest
from sdk_testkit import ClientFactory, Replies, call, collect, json_response
from xpert_sdk import chat_input, errors

OK = json_response({"thread_id": "t-1"})
UNAVAILABLE = json_response({"statusCode": 503, "message": "busy", "error": "Service Unavailable"}, 503)
SERVER_ERROR = json_response({"statusCode": 500, "message": "boom", "error": "Internal Server Error"}, 500)


def too_many(retry_after: str) -> httpx.Response:
    body = {"statusCode": 429, "message": "slow down", "error": "Too Many Requests"}
    return json_response(body, 429, **{"Retry-After": retry_after})


async def test_get_is_retried_after_503(make_client: ClientFactory, sleeps: list[float]) -> None:
    server = Replies(UNAVAILABLE, UNAVAILABLE, OK)
    client = make_client(server)
    assert await call(client.threads.get, "t-1") == {"thread_id": "t-1"}
    assert len(server.requests) == 3
    assert len(sleeps) == 2 and 0 < sleeps[0] < sleeps[1] <= 8


async def test_429_waits_as_long_as_retry_after_says(make_client: ClientFactory, sleeps: list[float]) -> None:
    server = Replies(too_many("2"), OK)
    client = make_client(server)
    await call(client.threads.get, "t-1")
    assert len(server.requests) == 2
    assert sleeps == [2.0]


async def test_retry_after_may_be_an_http_date(make_client: ClientFactory, sleeps: list[float]) -> None:
    server = Replies(too_many(email.utils.formatdate(time.time() + 30, usegmt=True)), OK)
    await call(make_client(server).threads.get, "t-1")
    assert 25 < sleeps[0] <= 30


async def test_absurd_retry_after_falls_back_to_backoff(
    make_client: ClientFactory, sleeps: list[float]
) -> None:
    server = Replies(too_many("86400"), OK)
    await call(make_client(server).threads.get, "t-1")
    assert sleeps[0] <= 8


async def test_400_is_not_retried(make_client: ClientFactory, sleeps: list[float]) -> None:
    server = Replies(json_response({"statusCode": 400, "message": "bad", "error": "Bad Request"}, 400))
    with pytest.raises(errors.BadRequestError):
        await call(make_client(server).threads.get, "t-1")
    assert len(server.requests) == 1 and sleeps == []


async def test_retries_give_up_after_max_retries(make_client: ClientFactory) -> None:
    server = Replies(UNAVAILABLE)
    with pytest.raises(errors.InternalServerError):
        await call(make_client(server, max_retries=3).threads.get, "t-1")
    assert len(server.requests) == 4


async def test_max_retries_zero_sends_once(make_client: ClientFactory) -> None:
    server = Replies(UNAVAILABLE)
    with pytest.raises(errors.InternalServerError):
        await call(make_client(server, max_retries=0).threads.get, "t-1")
    assert len(server.requests) == 1


async def test_search_post_is_retried_after_500(make_client: ClientFactory) -> None:
    server = Replies(SERVER_ERROR, json_response([]))
    assert await call(make_client(server).threads.search) == []
    assert len(server.requests) == 2


async def test_get_is_retried_after_a_read_error(make_client: ClientFactory) -> None:
    server = Replies(httpx.ReadError("connection reset"), OK)
    assert await call(make_client(server).threads.get, "t-1") == {"thread_id": "t-1"}
    assert len(server.requests) == 2


RUN_CREATES = ["create", "wait"]


@pytest.mark.parametrize("method", RUN_CREATES)
async def test_run_create_is_never_resent_after_a_500(make_client: ClientFactory, method: str) -> None:
    server = Replies(SERVER_ERROR, OK)
    client = make_client(server)
    with pytest.raises(errors.InternalServerError):
        await call(getattr(client.runs, method), "t-1", "x-1", input=chat_input("hi"))
    assert len(server.requests) == 1


@pytest.mark.parametrize("method", RUN_CREATES)
async def test_run_create_is_not_resent_after_the_connection_broke(
    make_client: ClientFactory, method: str
) -> None:
    server = Replies(httpx.ReadError("connection reset"), OK)
    with pytest.raises(errors.APIConnectionError):
        await call(getattr(make_client(server).runs, method), "t-1", "x-1", input=chat_input("hi"))
    assert len(server.requests) == 1


async def test_run_stream_is_never_resent_after_a_500(make_client: ClientFactory) -> None:
    server = Replies(SERVER_ERROR, OK)
    stream = make_client(server).runs.stream("t-1", "x-1", input=chat_input("hi"))
    with pytest.raises(errors.InternalServerError):
        await collect(stream)
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    "refusal",
    [UNAVAILABLE, too_many("1"), httpx.ConnectError("refused"), httpx.ConnectTimeout("no answer")],
    ids=["503", "429", "connect-error", "connect-timeout"],
)
async def test_run_create_is_retried_when_the_server_never_took_it(
    make_client: ClientFactory, refusal: httpx.Response | Exception
) -> None:
    server = Replies(refusal, json_response({"run_id": "r-1"}))
    run = await call(make_client(server).runs.create, "t-1", "x-1", input=chat_input("hi"))
    assert run == {"run_id": "r-1"}
    assert len(server.requests) == 2


async def test_upload_is_not_resent_after_a_500(make_client: ClientFactory) -> None:
    server = Replies(SERVER_ERROR, OK)
    with pytest.raises(errors.InternalServerError):
        await call(make_client(server).contexts.upload_file, b"hello")
    assert len(server.requests) == 1


async def test_unreadable_retry_after_falls_back_to_backoff(
    make_client: ClientFactory, sleeps: list[float]
) -> None:
    server = Replies(too_many("soon"), OK)
    await call(make_client(server).threads.get, "t-1")
    assert len(sleeps) == 1 and 0 < sleeps[0] <= 8
