"""The one test harness every suite uses.

app       - the in-process app (`open_harness` → `ApiHarness`: real storage, httpx.ASGITransport, key minting)
uvicorn   - that app served by uvicorn inside the test process (real HTTP streaming)
served    - real `xpert` subprocesses: `spawn` (any), `start`/`serving` (`xpert serve` → `Served`), `cli`
cluster   - several `xpert serve`/`xpert worker` processes on one PostgreSQL database and Redis prefix
chat      - XpertAI's chat request bodies (`send`, `resume`, `run_body`)
scripted  - an app with the scripted xperts of tests/graphs_scripted.py (slow, asker, twice, memo)
responses - `ok` and `error_of`: an answer's status, then its body or its error envelope's message
world     - org A's data for the route matrices (tests/hardening/test_isolation.py, test_privileges.py)
"""
