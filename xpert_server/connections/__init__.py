"""Connections: named model endpoints and MCP servers that xperts reference by name
(`model: {connection: deepseek}`, `mcp: [github]`).

- operator.py — the operator's, from a YAML file (XPERT_CONNECTIONS); trusted: any address, commands.
- vault.py — org connections' secrets, encrypted at rest (AES-GCM, key from XPERT_CONNECTIONS_SECRET).
- endpoints.py — what a run gets: a resolved model endpoint or MCP server, with its address policy.
- service.py — list, create, update, delete (refused while in use), check an xpert's references, resolve.
"""
