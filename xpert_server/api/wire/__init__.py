"""The wire: every JSON shape the API answers, as a pydantic model (the served OpenAPI's response schemas)
beside the function that writes it from records. The one place wire shapes are written.

One module per resource. Handlers build plain dicts with the `*_json` functions (cheap: no model is built
per response) and name the model as their route's `response_model`; FastAPI checks the dict against it and
`include_flat` (app.py) serialises only the keys the dict has (`response_model_exclude_unset`), so a field a
shape omits stays omitted. Open parts of the contract (`metadata`, `values`, `config`, extras echoed back)
are `dict[str, Any]` / `Any` or models with `extra="allow"`: nothing a client sent is dropped.
"""
