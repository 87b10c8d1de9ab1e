"""Who a request acts for. Every storage call takes one: tenancy lives in storage, not in handlers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

DEFAULT_ORG = "default"

# `console`: a browser signed in to /console with an org admin key (auth/console.py); it acts as that key.
CredentialKind = Literal["key", "secret", "console", "system"]
# What a key may do in its org (auth/roles.py has the route table): `admin` manages the org (xperts, keys,
# knowledge bases), `app` uses its xperts. Client secrets act as `app`, narrowed further by auth/scope.py.
# `operator`: the server's operator, minted by the CLI only (`xpert keys create --operator`); it signs in to
# the console's System page and can call nothing else (auth/console.py).
Role = Literal["admin", "app", "operator"]
ROLES: tuple[Role, ...] = ("admin", "app")  # what the API may mint


@dataclass(frozen=True, slots=True)
class Principal:
    org_id: str
    kind: CredentialKind = "system"
    key_id: str | None = None
    secret_id: str | None = None
    session_id: str | None = None  # a console session's id (kind `console`)
    # The end user the call acts for (`x-principal-user-id`); limits thread visibility when set.
    user_id: str | None = None
    # A key (or a secret minted from one) bound to a single xpert may use only that xpert.
    xpert_id: str | None = None
    # The server itself (YAML, CLI) is the operator: it has every power, so `system` counts as admin.
    role: Role = "admin"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin" and self.kind != "secret"

    @classmethod
    def system(cls, org_id: str = DEFAULT_ORG) -> Principal:
        """The server itself (YAML loading, CLI): sees the whole org."""
        return cls(org_id=org_id, kind="system")
