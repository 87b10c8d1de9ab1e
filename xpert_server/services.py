"""The components one process runs with, built by compose.py and reached by handlers via `services()`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from xpert_server.agents.provider import GraphProvider
from xpert_server.auth.authenticator import Authenticator
from xpert_server.auth.principal import Principal
from xpert_server.clock import Clock
from xpert_server.config import Settings
from xpert_server.connections.service import ConnectionService
from xpert_server.knowledge.files import FileService
from xpert_server.knowledge.service import KnowledgeService
from xpert_server.runs.checkpoint import Checkpointer
from xpert_server.runs.eventlog import EventLog
from xpert_server.runs.recovery import Sweeper
from xpert_server.runs.service import RunService
from xpert_server.runs.state import to_jsonable
from xpert_server.runs.wiring import RunsWiring
from xpert_server.storage import SQLStorage
from xpert_server.storage.records import ThreadRecord
from xpert_server.telemetry import Tracing
from xpert_server.webhooks.dispatcher import Dispatcher

if TYPE_CHECKING:
    from xpert_server.crons.scheduler import CronScheduler


@dataclass
class Services:
    settings: Settings
    # What expiry reads (the wall clock; a steered one in tests): given once, at the composition root.
    clock: Clock
    storage: SQLStorage
    auth: Authenticator
    checkpointer: Checkpointer
    graphs: GraphProvider
    events: EventLog
    runs: RunService
    sweeper: Sweeper
    files: FileService
    knowledge: KnowledgeService
    # Named models and MCP servers: the operator's and each org's (connections/).
    connections: ConnectionService
    # Webhook signing and delivery (webhooks/): the outbox's dispatcher and its secrets.
    webhooks: Dispatcher
    # OpenTelemetry (telemetry.py): off unless the OTEL_* environment names an endpoint.
    tracing: Tracing
    # The mode's run components (process registry, worker, Redis): runs/wiring.py.
    wiring: RunsWiring
    # The cron loop (crons/scheduler.py): set and started by compose.py once everything else runs.
    crons: CronScheduler | None = None

    async def thread_values(self, thread: ThreadRecord) -> Any:
        """The thread's current state values, from the checkpointer ({} before its first run)."""
        tup = await self.checkpointer.latest(thread.id)
        return {} if tup is None else to_jsonable(tup.checkpoint.get("channel_values", {}))

    async def delete_thread(self, p: Principal, thread_id: str) -> bool:
        deleted = await self.storage.delete_thread(p, thread_id)
        if deleted:
            await self.checkpointer.delete_thread(thread_id)
        return deleted

    async def close(self) -> None:
        if self.crons is not None:
            await self.crons.stop()  # no new runs while the rest stops
        await self.wiring.stop_worker()  # drain or hand back runs first, while everything still works
        await self.sweeper.stop()
        await self.webhooks.stop()
        await self.runs.shutdown()
        await self.knowledge.close()
        await self.files.close()
        await self.events.stop()
        await self.wiring.close()
        await self.checkpointer.close()
        await self.storage.close()
        self.tracing.shutdown()  # flushes the spans of the end
