"""The connection service of one process, from settings: the operator's file, the secrets' key, the orgs
allowed private addresses."""

from __future__ import annotations

from xpert_server.config import Settings
from xpert_server.connections.operator import ConnectionsError, load_operator_connections
from xpert_server.connections.service import ConnectionService
from xpert_server.connections.vault import Vault
from xpert_server.startup import StartupError
from xpert_server.storage import SQLStorage


def build_connections(storage: SQLStorage, settings: Settings) -> ConnectionService:
    """Raises StartupError (naming the file and field) when the operator's file is invalid."""
    try:
        operator = load_operator_connections(settings.connections_file)
    except ConnectionsError as e:
        raise StartupError(str(e)) from None
    return ConnectionService(
        storage,
        operator,
        Vault.from_settings(settings),
        frozenset(settings.connections_private_orgs),
    )
