"""Outbound HTTP to addresses a caller chose: the public-address rule (public.py) and an httpx transport
that applies it to every request and redirect hop (guarded.py)."""
