"""Who is calling: the identity behind an access key, as GetCallerIdentity reports it.

Long-term keys act as their account's root user (a 12-digit key id is its own account, any
other key belongs to the default account). Keys STS issued act as the identity they were
issued to: an assumed role's session, or the root user that called GetSessionToken.

Other services ask `resolve_access_key(system, key)`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from postoffice.protocol.sigv4 import account_for_key

if TYPE_CHECKING:
    from postoffice.core.system import System


@dataclass(frozen=True)
class Caller:
    account: str
    arn: str
    user_id: str
    temporary: bool = False  # signed with credentials STS issued

    def wire(self) -> dict[str, str]:
        return {"UserId": self.user_id, "Account": self.account, "Arn": self.arn}


def root(account: str) -> Caller:
    return Caller(account, f"arn:aws:iam::{account}:root", account)


def assumed_role_arn(account: str, role_name: str, session_name: str) -> str:
    return f"arn:aws:sts::{account}:assumed-role/{role_name}/{session_name}"


def stand_in_role_id(role_arn: str) -> str:
    """A stable AROA id for a role IAM does not know (credentials issued in-process)."""
    digest = hashlib.sha256(role_arn.encode()).hexdigest().upper()
    return "AROA" + digest[:17]


def resolve_access_key(system: System, access_key: str) -> Caller:
    """The identity that signs with `access_key`, as GetCallerIdentity would report it."""
    from postoffice.services.sts.api import Sts

    sts = system.services.get("sts")
    issued = sts.issued_to(access_key) if isinstance(sts, Sts) else None
    if issued is not None:
        return issued
    return root(account_for_key(access_key, system.settings.default_account))
