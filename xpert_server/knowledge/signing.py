"""Signed file urls: `…/contexts/file/{id}/content?expires=<epoch>&signature=<hmac>`.

A browser cannot add an API-key header to an `<img src>` or a link, so the url itself carries a
short-lived HMAC-SHA256 over the file id and expiry, keyed by a server secret (see settings.py).
Anyone holding an unexpired url can read that one file, like an S3 presigned url; nothing else.
"""

from __future__ import annotations

import hashlib
import hmac
import time


def sign(secret: bytes, file_id: str, expires: int) -> str:
    mac = hmac.new(secret, f"file:{file_id}:{expires}".encode(), hashlib.sha256)
    return mac.hexdigest()[:43]


def signed_query(secret: bytes, file_id: str, ttl: float, now: float | None = None) -> str:
    # Expiry rounded up to the hour: urls minted within the same hour are identical (cache friendly).
    expires = int(((now or time.time()) + ttl) // 3600 + 1) * 3600
    return f"expires={expires}&signature={sign(secret, file_id, expires)}"


def verify(secret: bytes, file_id: str, expires: str | None, signature: str | None) -> bool:
    if not expires or not signature:
        return False
    try:
        exp = int(expires)
    except ValueError:
        return False
    if exp < time.time():
        return False
    return hmac.compare_digest(sign(secret, file_id, exp), signature)
