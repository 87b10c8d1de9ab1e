"""Connections of an org and of the operator: list, create, update, delete, check an xpert's references,
and resolve them for a run.

An org's connection shadows nothing of the operator's: its name may not be one of the operator's (so a
name means one thing in an org), and when the operator later declares the same name, the org's own
stays what its xperts use. The URL of an org connection is held to the public-address rule when it is
created or changed, and again on every request a run makes (net/guarded.py), unless the operator lists
the org in XPERT_CONNECTIONS_PRIVATE_ORGS.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal

from xpert_server.agents.definition import DefinitionError, XpertSpec, parse_definition
from xpert_server.auth.principal import Principal
from xpert_server.connections.endpoints import McpEndpoint, ModelEndpoint, Resolved, Scope
from xpert_server.connections.operator import OperatorConnections
from xpert_server.connections.vault import Vault
from xpert_server.encoding import new_id
from xpert_server.errors import BadRequest, Conflict, Forbidden, NotFound
from xpert_server.net.guarded import HINT, AddressPolicy
from xpert_server.net.public import AddressRefused, Resolver, check_url_form, checked_address, system_resolver
from xpert_server.storage import SQLStorage
from xpert_server.storage.records import ConnectionRecord

Kind = Literal["model", "mcp"]


@dataclass(frozen=True)
class ConnectionView:
    """A connection as an org admin sees it: never its secret, at most a hint of it."""

    name: str
    kind: Kind
    scope: Scope
    url: str | None = None
    transport: str | None = None
    models: list[str] = field(default_factory=list)
    description: str | None = None
    hint: str | None = None
    created_at: float | None = None
    updated_at: float | None = None


@dataclass(frozen=True)
class NewConnection:
    name: str
    kind: Kind
    url: str
    transport: str | None = None
    models: list[str] = field(default_factory=list)
    description: str | None = None
    api_key: str | None = field(default=None, repr=False)
    headers: dict[str, str] = field(default_factory=dict, repr=False)


def secret_hint(kind: Kind, api_key: str | None, headers: dict[str, str]) -> str:
    """What responses show of a secret: a key's last four characters (when long enough to spare them),
    header names without their values."""
    if kind == "mcp":
        return f"headers: {', '.join(sorted(headers))}" if headers else "no headers"
    if not api_key:
        return "no key"
    return f"…{api_key[-4:]}" if len(api_key) >= 20 else "…"


def references(spec: XpertSpec) -> list[tuple[str, str]]:
    """(field path, connection name) of every connection the xpert names."""
    out: list[tuple[str, str]] = []
    if spec.model is not None and spec.model.connection:
        out.append(("model.connection", spec.model.connection))
    out.extend((f"mcp[{i}].connection", s.connection) for i, s in enumerate(spec.mcp) if s.connection)
    return out


class ConnectionService:
    def __init__(
        self,
        storage: SQLStorage,
        operator: OperatorConnections,
        vault: Vault,
        private_orgs: frozenset[str] = frozenset(),
        resolver: Resolver = system_resolver,
    ):
        self.storage = storage
        self.operator = operator
        self.vault = vault
        self.private_orgs = private_orgs
        # Injectable: tests make names resolve where they need them to, without real DNS.
        self.resolver = resolver

    def policy(self, org_id: str) -> AddressPolicy | None:
        """The address rule for an org's connections: None when the operator allows it private addresses."""
        return None if org_id in self.private_orgs else AddressPolicy(False, self.resolver)

    # --- what an admin sees -------------------------------------------------------------------------

    def _operator_views(self) -> list[ConnectionView]:
        d = self.operator.descriptions
        views = [
            ConnectionView(n, "model", "server", models=list(m.models), description=d.get(n))
            for n, m in self.operator.models.items()
        ]
        views += [
            ConnectionView(n, "mcp", "server", transport=m.transport, description=d.get(n))
            for n, m in self.operator.mcp.items()
        ]
        return views

    @staticmethod
    def _view(r: ConnectionRecord) -> ConnectionView:
        return ConnectionView(
            name=r.name,
            kind=r.kind,
            scope="org",
            url=r.url,
            transport=r.transport,
            models=list(r.models),
            description=r.description,
            hint=r.hint,
            created_at=r.created_at,
            updated_at=r.updated_at,
        )

    async def listing(self, p: Principal) -> list[ConnectionView]:
        own = [self._view(r) for r in await self.storage.list_connections(p)]
        taken = {v.name for v in own}
        return own + [v for v in self._operator_views() if v.name not in taken]

    async def get(self, p: Principal, name: str) -> ConnectionView:
        record = await self.storage.get_connection(p, name)
        if record is not None:
            return self._view(record)
        for view in self._operator_views():
            if view.name == name:
                return view
        raise NotFound(f"Connection '{name}' not found.")

    # --- changes ------------------------------------------------------------------------------------

    async def _check_url(self, org_id: str, url: str) -> None:
        policy = self.policy(org_id)
        try:
            if policy is None:
                check_url_form(url)
            else:
                await checked_address(url, False, policy.resolver, HINT)
        except AddressRefused as e:
            raise BadRequest(f"url: {e}") from None

    async def create(self, p: Principal, new: NewConnection) -> ConnectionView:
        if new.name in self.operator.names():
            raise Conflict(f"'{new.name}' is a connection of the server's operator: choose another name.")
        await self._check_url(p.org_id, new.url)
        now = time.time()
        secret = {"api_key": new.api_key} if new.kind == "model" else {"headers": dict(new.headers)}
        record = ConnectionRecord(
            id=new_id(),
            org_id=p.org_id,
            name=new.name,
            kind=new.kind,
            transport=new.transport,
            url=new.url,
            models=list(new.models),
            description=new.description,
            secret=self.vault.seal(p.org_id, new.name, secret),
            hint=secret_hint(new.kind, new.api_key, new.headers),
            created_at=now,
            updated_at=now,
        )
        await self.storage.create_connection(p, record)
        return self._view(record)

    async def _own(self, p: Principal, name: str) -> ConnectionRecord:
        record = await self.storage.get_connection(p, name)
        if record is None:
            if name in self.operator.names():
                raise Forbidden(
                    f"'{name}' is the server operator's connection: only the operator changes it."
                )
            raise NotFound(f"Connection '{name}' not found.")
        return record

    async def update(self, p: Principal, name: str, fields: dict[str, Any]) -> ConnectionView:
        """`fields`: any of url, transport (mcp), models (model), description, api_key (model), headers
        (mcp). A new URL needs its secret given again: a stored secret is never sent anywhere but where
        it was given for, so changing the URL cannot carry it off."""
        record = await self._own(p, name)
        secret_field = "api_key" if record.kind == "model" else "headers"
        wrong = sorted(
            set(fields) & ({"headers", "transport"} if record.kind == "model" else {"api_key", "models"})
        )
        if wrong:
            raise BadRequest(
                f"{', '.join(wrong)}: not a field of {'a model' if record.kind == 'model' else 'an MCP'} connection"
            )
        if "url" in fields and fields["url"] != record.url and secret_field not in fields:
            raise BadRequest(
                f"url: a new URL needs `{secret_field}` again (a stored secret only goes where it was given for)"
            )
        changes: dict[str, Any] = {
            k: fields[k] for k in ("url", "transport", "models", "description") if k in fields
        }
        if "url" in changes:
            await self._check_url(p.org_id, changes["url"])
        if secret_field in fields:
            api_key = fields.get("api_key")
            headers = dict(fields.get("headers") or {})
            secret = {"api_key": api_key} if record.kind == "model" else {"headers": headers}
            changes["secret"] = self.vault.seal(p.org_id, name, secret)
            changes["hint"] = secret_hint(record.kind, api_key, headers)
        updated = await self.storage.update_connection(p, name, changes)
        if updated is None:
            raise NotFound(f"Connection '{name}' not found.")
        return self._view(updated)

    async def users(self, p: Principal, name: str) -> list[str]:
        """The org's xperts (slug, else id) that name the connection."""
        found: list[str] = []
        for public_id, slug, definition in await self.storage.assistant_definitions(p):
            try:
                spec = parse_definition({"name": "x", "slug": "x", **definition}, "stored")
            except DefinitionError:
                continue
            if any(n == name for _path, n in references(spec)):
                found.append(slug or public_id)
        return found

    async def delete(self, p: Principal, name: str) -> ConnectionView:
        record = await self._own(p, name)
        using = await self.users(p, name)
        if using:
            raise Conflict(
                f"Connection '{name}' is used by xpert(s) {', '.join(sorted(using))}: change them to "
                "another connection (or delete them) first."
            )
        if not await self.storage.delete_connection(p, name):
            raise NotFound(f"Connection '{name}' not found.")
        return self._view(record)

    # --- xperts -------------------------------------------------------------------------------------

    async def check_references(self, p: Principal, spec: XpertSpec) -> None:
        """400 naming the field when an xpert names a connection its org cannot use, or the wrong kind,
        or a model name the connection does not offer."""
        refs = references(spec)
        if not refs:
            return
        own = {r.name: r for r in await self.storage.list_connections(p)}
        problems: list[str] = []
        for path, name in refs:
            kind: Kind = "model" if path.startswith("model") else "mcp"
            models: list[str] | None = None
            if name in own:
                found_kind = own[name].kind
                models = own[name].models
            elif name in self.operator.models:
                found_kind, models = "model", list(self.operator.models[name].models)
            elif name in self.operator.mcp:
                found_kind = "mcp"
            else:
                problems.append(
                    f"{path}: no connection '{name}' in this org or the server's (GET /connections lists them)"
                )
                continue
            if found_kind != kind:
                problems.append(
                    f"{path}: '{name}' is {'an MCP server' if found_kind == 'mcp' else 'a model'} connection"
                )
            elif (
                kind == "model"
                and spec.model is not None
                and spec.model.name
                and models
                and spec.model.name not in models
            ):
                problems.append(
                    f"model.name: connection '{name}' offers {', '.join(models)}, not {spec.model.name!r}"
                )
        if problems:
            raise BadRequest("; ".join(problems))

    async def resolve(self, org_id: str, spec: XpertSpec) -> Resolved:
        """The endpoints an xpert names, secrets opened (the org's own first, then the operator's)."""
        refs = references(spec)
        if not refs:
            return Resolved()
        own = {r.name: r for r in await self.storage.list_connections(Principal.system(org_id))}
        models: dict[str, ModelEndpoint] = {}
        mcp: dict[str, McpEndpoint] = {}
        prints: list[tuple[str, str, float]] = []
        for path, name in refs:
            record = own.get(name)
            if record is not None:
                prints.append(("org", name, record.updated_at))
                secret = self.vault.open(org_id, name, record.secret or b"")
                policy = self.policy(org_id)
                if record.kind == "model" and path.startswith("model"):
                    models[name] = ModelEndpoint(
                        name, "org", record.url, secret.get("api_key"), tuple(record.models), {}, policy
                    )
                elif record.kind == "mcp" and not path.startswith("model"):
                    mcp[name] = McpEndpoint(
                        name,
                        "org",
                        "sse" if record.transport == "sse" else "http",
                        url=record.url,
                        headers=dict(secret.get("headers") or {}),
                        policy=policy,
                    )
            elif name in self.operator.models and path.startswith("model"):
                prints.append(("server", name, 0.0))
                models[name] = self.operator.models[name]
            elif name in self.operator.mcp and not path.startswith("model"):
                prints.append(("server", name, 0.0))
                mcp[name] = self.operator.mcp[name]
        return Resolved(models=models, mcp=mcp, fingerprint=tuple(sorted(prints)))
