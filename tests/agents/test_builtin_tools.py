"""Built-in tools on their own: calculator bounds, current_time zones, http_get's SSRF guard."""

from __future__ import annotations

import ipaddress
from typing import Any

import httpx
import pytest

from tests.agents.conftest import AgentsEnv
from xpert_server.agents.tools import calc, http
from xpert_server.agents.tools.builtin import BUILTINS, ToolError, current_time


@pytest.mark.parametrize(
    "expression, value",
    [
        ("12*7", "84"),
        ("2^10", "1024"),
        ("（1＋2）×3", "9"),
        ("sqrt(16)", "4"),
        ("1/3", "0.333333333333"),
        ("1,000 * 3", "3000"),
        ("-3 % 2", "1"),
        ("2**-1", "0.5"),
        ("round(pi, 2)", "3.14"),
        ("12*7=", "84"),
    ],
)
def test_calculator(expression: str, value: str) -> None:
    assert calc.format_number(calc.evaluate(expression)) == value


@pytest.mark.parametrize(
    "expression, reason",
    [
        ("9**9**9", "exponent larger than"),
        ("(10**9999)**9999", "too large"),
        ("__import__('os').system('true')", "unsupported element"),
        ("().__class__", "unsupported element"),
        ("open('/etc/passwd')", "unsupported element"),
        ("x + 1", "unsupported element: x"),
        ("1/0", "division by zero"),
        ("factorial(5000)", "limited to 1000"),
        ("1" * 600, "longer than"),
        ("(1,2)", "unsupported element"),
        ("sqrt(-1)", "math domain error"),
    ],
)
def test_calculator_refuses(expression: str, reason: str) -> None:
    with pytest.raises(calc.CalcError, match=reason):
        calc.evaluate(expression)


def test_current_time() -> None:
    assert current_time("Asia/Shanghai").endswith(", Asia/Shanghai)")
    assert "+08:00" in current_time("Asia/Shanghai")
    with pytest.raises(ToolError, match="unknown time zone 'Mars/Base'"):
        current_time("Mars/Base")


@pytest.mark.parametrize(
    "address, problem",
    [
        ("127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.1.1", "private"),
        ("172.16.0.1", "private"),
        ("169.254.169.254", "link-local"),
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::1", "loopback"),
        ("fe80::1", "link-local"),
        ("fd00::1", "private"),
        ("::ffff:127.0.0.1", "loopback"),
        ("100.64.0.1", "non-public"),
        ("240.0.0.1", "private"),
        ("198.18.0.1", "private"),
    ],
)
def test_blocked_addresses(address: str, problem: str) -> None:
    reason = http.address_problem(ipaddress.ip_address(address))
    assert reason is not None and problem in reason


def test_public_addresses_pass() -> None:
    for address in ("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "1.1.1.1"):
        assert http.address_problem(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    "url, reason",
    [
        ("ftp://example.com/x", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("http://user:pw@example.com/", "credentials"),
        ("http://127.0.0.1:9/", "127.0.0.1 is a loopback address"),
        ("http://[::1]/", "::1 is a loopback address"),
        ("http://localhost/", "is a loopback address"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
    ],
)
async def test_http_get_refuses(url: str, reason: str) -> None:
    with pytest.raises(http.FetchRefused, match=reason):
        await http.fetch(url, http.HttpGetConfig())


async def test_names_resolving_to_private_addresses_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS is checked, not the name: a public-looking name that resolves privately is refused."""

    async def fake_resolve(host: str, port: int) -> list[Any]:
        return [ipaddress.ip_address("93.184.216.34"), ipaddress.ip_address("10.0.0.5")]

    monkeypatch.setattr(http, "resolve", fake_resolve)
    with pytest.raises(http.FetchRefused, match="10.0.0.5 is a private address"):
        await http.fetch("https://innocent.example/", http.HttpGetConfig())


async def test_redirects_are_checked_again(agents: AgentsEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    """A public page redirecting to a private address is refused at the redirect."""
    base = agents.llm.base_url
    real = http.checked_address
    checked: list[str] = []

    async def first_hop_public(url: str, allow_private: bool) -> Any:
        checked.append(url)
        # The first hop (the test server standing in for a public site) passes; later hops are checked for real.
        return await real(url, allow_private or len(checked) == 1)

    monkeypatch.setattr(http, "checked_address", first_hop_public)
    hits = agents.fake.hits.get("/hello", 0)
    with pytest.raises(http.FetchRefused, match="127.0.0.1 is a loopback address"):
        await http.fetch(f"{base}/redirect?to={base}/hello", http.HttpGetConfig())
    assert checked == [f"{base}/redirect?to={base}/hello", f"{base}/hello"]
    assert agents.fake.hits.get("/hello", 0) == hits


async def test_allow_private_follows_redirects_and_limits_size(agents: AgentsEnv) -> None:
    base = agents.llm.base_url
    config = http.HttpGetConfig(allow_private=True, max_bytes=10)
    result = await http.fetch(f"{base}/redirect?to=/hello", config)
    assert result.status == 200 and result.url == f"{base}/hello"
    assert result.text == "hello from" and result.truncated
    assert http.describe(result).endswith("hello from\n[… truncated]")


async def test_timeout(monkeypatch: pytest.MonkeyPatch, agents: AgentsEnv) -> None:
    async def slow(*args: Any, **kwargs: Any) -> Any:
        raise httpx.ReadTimeout("slow")

    monkeypatch.setattr(httpx.AsyncClient, "send", slow)
    with pytest.raises(http.FetchRefused, match="ReadTimeout"):
        await http.fetch(f"{agents.llm.base_url}/hello", http.HttpGetConfig(allow_private=True))


def test_every_builtin_has_a_schema() -> None:
    for name, builtin in BUILTINS.items():
        tool = builtin.make({})
        assert tool.name == name and tool.description
        assert builtin.title
