"""SigV4 credential scope: who signed (access key) and for which region and service.

Signatures are parsed, not verified.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from postoffice.protocol.http import HttpRequest

_CREDENTIAL = re.compile(r"Credential=([^/\s,]+)/(\d{8})/([^/\s,]+)/([^/\s,]+)/aws4_request")
_ACCOUNT_KEY = re.compile(r"\d{12}")
_SCOPE_CACHE_SIZE = 1024


@dataclass(frozen=True)
class CredentialScope:
    access_key: str = ""
    region: str = ""
    service: str = ""


NO_SCOPE = CredentialScope()

# The `Credential=...` element of an Authorization header -> its scope. A client signs every
# request with the same one (only the date and signature change), so the regex runs once.
_scopes: dict[str, CredentialScope] = {}


def credential_scope(request: HttpRequest) -> CredentialScope:
    authorization = request.headers.get("authorization")
    if authorization:
        start = authorization.find("Credential=")
        if start >= 0:
            end = authorization.find(",", start)
            credential = authorization[start:end] if end >= 0 else authorization[start:]
            scope = _scopes.get(credential)
            if scope is not None:
                return scope
            match = _CREDENTIAL.search(authorization)
            if match:
                scope = CredentialScope(match.group(1), match.group(3), match.group(4))
                if match.start() == start:
                    # the match lies inside `credential` (no group can hold a comma), so
                    # the same element always gives the same scope
                    if len(_scopes) >= _SCOPE_CACHE_SIZE:
                        _scopes.clear()
                    _scopes[credential] = scope
                return scope
    if "X-Amz-Credential" in request.query_string:
        credential = request.query_value("X-Amz-Credential") or ""
        parts = credential.split("/")
        if len(parts) == 5:
            return CredentialScope(parts[0], parts[2], parts[3])
    return NO_SCOPE


KeyResolver = Callable[[str], str | None]
_key_resolvers: list[KeyResolver] = []


def register_key_resolver(resolver: KeyResolver) -> None:
    """Let `resolver` name the account of keys it issued (STS's temporary credentials)."""
    _key_resolvers.append(resolver)


def unregister_key_resolver(resolver: KeyResolver) -> None:
    if resolver in _key_resolvers:
        _key_resolvers.remove(resolver)


def account_for_key(access_key: str, default_account: str) -> str:
    """A 12-digit access key id is its own account; a key a resolver knows is its issuer's
    account; any other key maps to the default."""
    if len(access_key) == 12 and _ACCOUNT_KEY.fullmatch(access_key):
        return access_key
    for resolve in _key_resolvers:
        account = resolve(access_key)
        if account is not None:
            return account
    return default_account
