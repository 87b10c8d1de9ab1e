"""Non-2xx answers and broken connections become the exceptions of `xpert_sdk.errors`."""

from __future__ import annotations

import httpx
import pytest
import xpert_sdk
from sdk_testkit import ClientFactory, Replies, call, json_response
from xpert_sdk import errors


def envelope(status: int, message: object, error: str = "Error") -> httpx.Response:
    return json_response({"statusCode": status, "message": message, "error": error}, status)


@pytest.mark.parametrize(
    ("status", "message", "expected"),
    [
        (400, "message: Required", errors.BadRequestError),
        (422, "limit: must be positive", errors.BadRequestError),
        (401, "Invalid token", errors.AuthenticationError),
        (401, "Token expired", errors.TokenExpiredError),
        (403, "API key is not allowed to access this assistant.", errors.PermissionDeniedError),
        (404, "Thread not found", errors.NotFoundError),
        (409, "Thread is busy", errors.ConflictError),
        (429, "Too many requests", errors.RateLimitError),
        (500, "boom", errors.InternalServerError),
        (502, "bad gateway", errors.InternalServerError),
        (503, "unavailable", errors.InternalServerError),
        (413, "File too large", errors.APIStatusError),
    ],
)
async def test_status_maps_to_error_class(
    make_client: ClientFactory, status: int, message: str, expected: type[errors.APIStatusError]
) -> None:
    client = make_client(Replies(envelope(status, message)), max_retries=0)

    with pytest.raises(expected) as raised:
        await call(client.threads.get, "t-1")

    error = raised.value
    assert type(error) is expected
    assert isinstance(error, errors.APIStatusError) and isinstance(error, errors.XpertError)
    assert error.status_code == status
    assert error.message == message
    assert error.body == {"statusCode": status, "message": message, "error": "Error"}
    assert str(error) == f"HTTP {status}: {message}"


def test_token_expired_is_an_authentication_error() -> None:
    assert issubclass(errors.TokenExpiredError, errors.AuthenticationError)
    assert issubclass(errors.APITimeoutError, errors.APIConnectionError)


async def test_validation_messages_listed_are_joined(make_client: ClientFactory) -> None:
    client = make_client(Replies(envelope(400, ["limit: too big", "offset: negative"])))
    with pytest.raises(errors.BadRequestError) as raised:
        await call(client.threads.search, limit=10_000)
    assert raised.value.message == "limit: too big; offset: negative"


async def test_non_json_error_body_keeps_its_text(make_client: ClientFactory) -> None:
    client = make_client(Replies(httpx.Response(404, text="nope")))
    with pytest.raises(errors.NotFoundError) as raised:
        await call(client.threads.get, "t-1")
    assert (raised.value.message, raised.value.body) == ("nope", "nope")


async def test_empty_error_body_uses_the_reason_phrase(make_client: ClientFactory) -> None:
    client = make_client(Replies(httpx.Response(404)))
    with pytest.raises(errors.NotFoundError) as raised:
        await call(client.threads.get, "t-1")
    assert raised.value.message == "Not Found"


@pytest.mark.parametrize(
    ("raised", "expected"),
    [
        (httpx.ConnectError("refused"), errors.APIConnectionError),
        (httpx.ReadError("reset"), errors.APIConnectionError),
        (httpx.ConnectTimeout("slow"), errors.APITimeoutError),
        (httpx.ReadTimeout("slow"), errors.APITimeoutError),
    ],
)
async def test_transport_failures_map_to_connection_errors(
    make_client: ClientFactory, raised: Exception, expected: type[Exception]
) -> None:
    client = make_client(Replies(raised), max_retries=0)
    with pytest.raises(expected) as info:
        await call(client.threads.get, "t-1")
    assert info.value.__cause__ is raised
    assert isinstance(info.value, xpert_sdk.XpertError)
