"""Every limit on what one client can make the server hold or do, in one folder (docs/security.md lists each
setting and default):

- `headers.py`: request line + header size (431), on uvicorn's httptools protocol;
- `connections.py`: time to send a head and a body (408), the open-connections cap per process;
- `body.py`: body size (413) before any handler reads it;
- `jsonbody.py`: strict JSON (no lone surrogates, NaN, overflow; bounded depth) before any handler;
- `streams.py`: open followers (streams, joins, waits) per credential (429);
- `rate.py`, `redis_rate.py`: requests per credential per minute, in this process or shared through Redis.

Document parsing has its own bounds in `knowledge/sandbox.py` (a child process with memory/CPU limits).
"""
