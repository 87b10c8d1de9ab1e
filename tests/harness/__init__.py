"""The one test harness every suite uses.

app       - the in-process app (`open_harness` → `ApiHarness`: real storage, httpx.ASGITransport, key minting)
uvicorn   - that app served by uvicorn inside the test process (real HTTP streaming)
served    - a real `xpert serve` subprocess (`start`/`serving` → `Served`)
cluster   - several `xpert serve`/`xpert worker` processes on one PostgreSQL database and Redis prefix
chat      - XpertAI's chat request bodies (`send`, `resume`, `run_body`)
scripted  - an app with the scripted xperts of tests/graphs_scripted.py (slow, asker, twice, memo)
"""
