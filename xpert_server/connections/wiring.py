"""The connection service of one process, from settings: the operator's file, the secrets' key, the orgs
allowed private addresses."""

from __future__ import annotations

from xpert_server.config import Settings
from xpert_server.connections.operator import ConnectionsError, OperatorConnections, load_operator_connections
from xpert_server.connections.service import ConnectionService
from xpert_server.connections.vault import Vault
from xpert_server.startup import StartupError
from xpert_server.storage import SQLStorage


def load_operator(settings: Settings) -> OperatorConnections:
    """The operator's connections file, read first at start (before anything opens), so a bad file stops
    the start with one line naming the file and field (StartupError)."""
    try:
        return load_operator_connections(settings.connections_file)
    except ConnectionsError as e:
        raise StartupError(str(e)) from None


def build_connections(
    storage: SQLStorage, settings: Settings, operator: OperatorConnections | None = None
) -> ConnectionService:
    return ConnectionService(
        storage,
        operator if operator is not None else load_operator(settings),
        Vault.from_settings(settings),
        frozenset(settings.connections_private_orgs),
    )
