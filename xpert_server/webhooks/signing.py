"""Standard Webhooks signing (standardwebhooks, the specification's own library): `webhook-id`,
`webhook-timestamp` and `webhook-signature` = `v1,` + base64(HMAC-SHA256(secret, "id.timestamp.body"))."""

from __future__ import annotations

import base64
import os
from datetime import UTC, datetime

from standardwebhooks import Webhook

PREFIX = "whsec_"


def new_secret() -> str:
    """A signing secret as Standard Webhooks writes them: `whsec_` + base64 of 24 random bytes."""
    return PREFIX + base64.b64encode(os.urandom(24)).decode()


def hint(secret: str) -> str:
    """What lists may show of a secret: enough to tell two apart, nothing to sign with."""
    return f"{PREFIX}…{secret[-4:]}"


def signed_headers(secret: str, msg_id: str, body: bytes, at: float) -> dict[str, str]:
    timestamp = datetime.fromtimestamp(int(at), UTC)
    signature = Webhook(secret).sign(msg_id=msg_id, timestamp=timestamp, data=body.decode())
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at)),
        "webhook-signature": signature,
        "content-type": "application/json",
    }
