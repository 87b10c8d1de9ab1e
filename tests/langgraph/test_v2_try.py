import asyncio, json
from tests.langgraph.conftest import LangGraphEnv

HI = {"messages": [{"role": "user", "content": "hi"}]}

async def test_try(lg: LangGraphEnv) -> None:
    client = await lg.client()
    async with client.threads.stream(assistant_id="greeter") as thread:
        await thread.run.start(input=HI)
        out = await asyncio.wait_for(thread.output, 20)
        print("OUTPUT", json.dumps(out)[:500])
    import httpx
    key, _ = await lg.harness.mint_key("langgraph-tests")
    async with httpx.AsyncClient(base_url=lg.live.base_url, headers={"x-api-key": key}) as c:
        async with c.stream("POST", f"/threads/{thread.thread_id}/stream/events", json={"channels": ["values","updates","messages","lifecycle","input","custom"]}) as r:
            print("STATUS", r.status_code)
            n = 0
            async for line in r.aiter_lines():
                print(line[:300])
                if "completed" in line: break
