"""An injectable resolver for the public-address rule (xpert_server/net/public.py): names answer from a
table the test sets, so a test can make a name look public, private or rebound without real DNS.
`PUBLIC` stands for "some public address": tests never send a request to it."""

from __future__ import annotations

import ipaddress

from xpert_server.net.public import AddressRefused, IPAddress

PUBLIC = "1.1.1.1"


class FakeDNS:
    def __init__(self, answers: dict[str, list[str]] | None = None, default: list[str] | None = None) -> None:
        self.answers: dict[str, list[str]] = dict(answers or {})
        self.default = default  # the answer for names not in the table; None: they do not resolve
        self.asked: list[str] = []

    async def __call__(self, host: str, port: int) -> list[IPAddress]:
        self.asked.append(host)
        try:
            return [ipaddress.ip_address(host)]
        except ValueError:
            pass
        found = self.answers.get(host, self.default)
        if found is None:
            raise AddressRefused(f"cannot resolve {host!r}")
        return [ipaddress.ip_address(a) for a in found]


def everything_public() -> FakeDNS:
    """Every name resolves to PUBLIC (for route matrices that create connections and never use them)."""
    return FakeDNS(default=[PUBLIC])
