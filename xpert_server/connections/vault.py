"""Org connections' secrets, encrypted at rest with AES-GCM.

The key is derived (HKDF-SHA256) from XPERT_CONNECTIONS_SECRET, or from a random key kept in
`<data dir>/connections.key` when it is unset (keyfile.py, like the file-URL key). Each ciphertext is
bound to its org and connection name (associated data): copied to another row, it does not open.
Only the service opens a secret, to hand it to the run that uses the connection; nothing returns or
logs it.
"""

from __future__ import annotations

import json
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from xpert_server.config import Settings
from xpert_server.keyfile import stored_key

VERSION = b"\x01"
NONCE_BYTES = 12


class SecretUnreadable(RuntimeError):
    """A stored secret does not open with this server's key (another XPERT_CONNECTIONS_SECRET?)."""


class Vault:
    def __init__(self, root: bytes):
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"xpert connections v1").derive(
            root
        )
        self._aead = AESGCM(derived)

    @classmethod
    def from_settings(cls, settings: Settings) -> Vault:
        given = settings.connections_secret
        return cls(given.encode() if given else stored_key(settings.data_dir, "connections.key"))

    def seal(self, org_id: str, name: str, secret: dict[str, Any]) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        clear = json.dumps(secret, separators=(",", ":")).encode()
        return VERSION + nonce + self._aead.encrypt(nonce, clear, _bound(org_id, name))

    def open(self, org_id: str, name: str, sealed: bytes) -> dict[str, Any]:
        if not sealed or sealed[:1] != VERSION:
            raise SecretUnreadable(f"connection {name!r}: unknown secret format")
        nonce, body = sealed[1 : 1 + NONCE_BYTES], sealed[1 + NONCE_BYTES :]
        try:
            clear = self._aead.decrypt(nonce, body, _bound(org_id, name))
        except InvalidTag:
            raise SecretUnreadable(
                f"connection {name!r}: its secret does not open with this server's key "
                "(XPERT_CONNECTIONS_SECRET must be the same on every server sharing the database)"
            ) from None
        value = json.loads(clear)
        assert isinstance(value, dict)
        return value


def _bound(org_id: str, name: str) -> bytes:
    return f"{org_id}\x00{name}".encode()
