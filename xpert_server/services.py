"""The components one process runs with, wired by `create_app` and reached by handlers via `services()`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from xpert_server.auth.authenticator import Authenticator
from xpert_server.auth.principal import Principal
from xpert_server.config import Settings
from xpert_server.storage import SQLStorage
from xpert_server.storage.records import ThreadRecord


@dataclass
class Services:
    settings: Settings
    storage: SQLStorage
    auth: Authenticator

    async def thread_values(self, thread: ThreadRecord) -> Any:
        """The thread's current state values (from the checkpointer once runs exist)."""
        return {}

    async def delete_thread(self, p: Principal, thread_id: str) -> bool:
        return await self.storage.delete_thread(p, thread_id)
