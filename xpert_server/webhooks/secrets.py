"""Webhook signing secrets: made here, sealed at rest with the server's secrets key (connections/vault.py;
each ciphertext bound to its org and owner), opened only to sign a delivery or to show an admin once."""

from __future__ import annotations

from xpert_server.connections.vault import Vault
from xpert_server.storage import SQLStorage
from xpert_server.storage.records import DeliveryRecord
from xpert_server.webhooks.signing import hint, new_secret

ORG_SIGNING = "webhook-signing"


def endpoint_name(endpoint_id: str) -> str:
    return f"webhook:{endpoint_id}"


class WebhookSecrets:
    def __init__(self, storage: SQLStorage, vault: Vault):
        self.storage = storage
        self.vault = vault

    def new_endpoint_secret(self, org_id: str, endpoint_id: str) -> tuple[str, bytes, str]:
        """(clear secret, sealed secret, hint) for a subscription."""
        secret = new_secret()
        return secret, self.vault.seal(org_id, endpoint_name(endpoint_id), {"secret": secret}), hint(secret)

    def open_endpoint_secret(self, org_id: str, endpoint_id: str, sealed: bytes) -> str:
        return str(self.vault.open(org_id, endpoint_name(endpoint_id), sealed)["secret"])

    async def org_secret(self, org_id: str, *, rotate: bool = False) -> tuple[str, float]:
        """The org's secret for per-run webhook URLs (made on first use; `rotate` replaces it), with the
        time it was made."""
        if not rotate:
            found = await self.storage.get_signing_secret(org_id)
            if found is not None:
                return str(self.vault.open(org_id, ORG_SIGNING, found[0])["secret"]), found[2]
        secret = new_secret()
        sealed = self.vault.seal(org_id, ORG_SIGNING, {"secret": secret})
        stored, _, made = await self.storage.put_signing_secret(org_id, sealed, hint(secret), rotate=rotate)
        return str(self.vault.open(org_id, ORG_SIGNING, stored)["secret"]), made

    async def for_delivery(self, d: DeliveryRecord) -> str | None:
        """The secret that signs `d`: its subscription's, or the org's for a run's own URL. None when the
        subscription was deleted."""
        if d.endpoint_id is None:
            return (await self.org_secret(d.org_id))[0]
        endpoint = await self.storage.get_webhook(d.org_id, d.endpoint_id)
        return None if endpoint is None else self.open_endpoint_secret(d.org_id, endpoint.id, endpoint.secret)
