"""Temporary credentials STS issues, and who they were issued to."""

from __future__ import annotations

import base64
import secrets
import string
from dataclasses import dataclass

from postoffice.services.iam.ids import unique_id

ACCESS_KEY_PREFIX = "ASIA"
_SECRET_ALPHABET = string.ascii_letters + string.digits + "+/"
# Session tokens today start with the base64 of a small binary header.
_TOKEN_HEADER = "IQoJb3JpZ2luX2Vj"


@dataclass
class IssuedCredentials:
    access_key_id: str
    secret_access_key: str
    session_token: str
    expiration: float
    account: str
    arn: str
    user_id: str
    source_identity: str | None = None

    def wire(self) -> dict[str, object]:
        return {
            "AccessKeyId": self.access_key_id,
            "SecretAccessKey": self.secret_access_key,
            "SessionToken": self.session_token,
            "Expiration": self.expiration,
        }


def new_credentials(
    account: str, arn: str, user_id: str, expiration: float, source_identity: str | None = None
) -> IssuedCredentials:
    return IssuedCredentials(
        access_key_id=unique_id(ACCESS_KEY_PREFIX, 20),
        secret_access_key="".join(secrets.choice(_SECRET_ALPHABET) for _ in range(40)),
        session_token=_TOKEN_HEADER + base64.b64encode(secrets.token_bytes(270)).decode(),
        expiration=expiration,
        account=account,
        arn=arn,
        user_id=user_id,
        source_identity=source_identity,
    )
