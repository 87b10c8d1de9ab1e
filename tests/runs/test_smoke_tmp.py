import asyncio
from tests.runs.common import RunsEnv, new_thread, stream, send, ok, messages_of, list_runs

async def test_cancel_storm(env: RunsEnv) -> None:
    async with await env.asgi() as c:
        for i in range(5):
            t = await new_thread(c)
            run = ok(await c.post(f"/threads/{t['thread_id']}/runs", json={"assistant_id": env.ids["ticker"], "input": send("x")}), 201)
            await asyncio.sleep(0.2)
            rs = await asyncio.gather(*[c.post(f"/threads/{t['thread_id']}/runs/{run['run_id']}/cancel") for _ in range(30)])
            print(sum(1 for r in rs if r.json()["canceledExecutionIds"]))
            await asyncio.sleep(1.5)
            print(ok(await c.get(f"/threads/{t['thread_id']}/runs/{run['run_id']}"))["status"], ok(await c.get(f"/threads/{t['thread_id']}"))["status"])
            print(env.harness.services.events._channels.get(run['run_id']))
