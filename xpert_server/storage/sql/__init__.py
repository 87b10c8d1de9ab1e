"""The SQL implementation of `Storage`, one mixin per resource over a shared core."""

from __future__ import annotations

from xpert_server.storage.sql.assistants import AssistantsMixin
from xpert_server.storage.sql.connections import ConnectionsMixin
from xpert_server.storage.sql.console import ConsoleMixin
from xpert_server.storage.sql.conversations import ConversationsMixin
from xpert_server.storage.sql.crons import CronsMixin
from xpert_server.storage.sql.files import FilesMixin
from xpert_server.storage.sql.keys import KeysMixin
from xpert_server.storage.sql.knowledge import KnowledgeMixin
from xpert_server.storage.sql.messages import MessagesMixin
from xpert_server.storage.sql.queue import QueueMixin
from xpert_server.storage.sql.runs import RunsMixin
from xpert_server.storage.sql.secrets import SecretsMixin
from xpert_server.storage.sql.store import StoreMixin
from xpert_server.storage.sql.threads import ThreadsMixin
from xpert_server.storage.sql.usage import UsageMixin
from xpert_server.storage.sql.webhooks import WebhooksMixin


class SQLStorage(
    KeysMixin,
    AssistantsMixin,
    ThreadsMixin,
    RunsMixin,
    ConversationsMixin,
    MessagesMixin,
    SecretsMixin,
    StoreMixin,
    FilesMixin,
    KnowledgeMixin,
    QueueMixin,
    ConnectionsMixin,
    WebhooksMixin,
    UsageMixin,
    ConsoleMixin,
    CronsMixin,
):
    """Storage on SQLite or PostgreSQL; the dialect object holds what differs."""


__all__ = ["SQLStorage"]
