"""`GET /assistants/{id}/subgraphs[/{namespace}]`: the xpert's compiled graph's subgraphs and their schemas,
as LangGraph's server lists them (the `nested` test xpert: `inner`, and `inner|deep` inside it)."""

from __future__ import annotations

from tests.runs.common import RunsEnv, error_of, ok

SCHEMA_KEYS = {"graph_id", "input_schema", "output_schema", "state_schema", "config_schema", "context_schema"}


async def test_subgraphs_are_listed_by_namespace_and_recursion(env: RunsEnv) -> None:
    nested = env.ids["nested"]
    async with await env.asgi() as c:
        top = ok(await c.get(f"/assistants/{nested}/subgraphs"))
        assert sorted(top) == ["inner"]
        assert set(top["inner"]) == SCHEMA_KEYS and top["inner"]["graph_id"] == nested
        assert "messages" in top["inner"]["input_schema"]["properties"]
        assert isinstance(top["inner"]["config_schema"], dict)  # LangGraph's deprecation warning is no error
        deep = ok(await c.get(f"/assistants/{nested}/subgraphs", params={"recurse": "true"}))
        assert sorted(deep) == ["inner", "inner|deep"]
        assert sorted(ok(await c.get(f"/assistants/{nested}/subgraphs/inner"))) == ["inner"]
        at = ok(await c.get(f"/assistants/{nested}/subgraphs/inner|deep", params={"recurse": "true"}))
        assert sorted(at) == ["inner|deep"]
        # A namespace the graph does not have: nothing, as LangGraph answers.
        assert ok(await c.get(f"/assistants/{nested}/subgraphs/nowhere")) == {}
        # A graph without subgraphs: nothing.
        assert ok(await c.get(f"/assistants/{env.ids['echo']}/subgraphs", params={"recurse": "true"})) == {}
        error_of(await c.get(f"/assistants/{nested}/subgraphs", params={"recurse": "sometimes"}), 400)
        error_of(await c.get("/assistants/no-such-xpert/subgraphs"), 404)
    async with await env.asgi("another-org") as other:
        error_of(await other.get(f"/assistants/{nested}/subgraphs"), 404)
