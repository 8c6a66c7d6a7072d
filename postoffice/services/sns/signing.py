"""Message signatures: SHA1withRSA (SignatureVersion 1) or SHA256withRSA (2) over AWS's
canonical string, with a certificate subscribers fetch from SigningCertURL.

The key pair and its self-signed certificate are made once per data store and kept in it, so
a subscriber that cached the certificate keeps verifying across restarts.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
from collections import OrderedDict
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from postoffice.core.store.base import Store
from postoffice.core.store.records import RecordTable

CERT_PATH_PREFIX = "/_postoffice/sns/"
_CACHE_SIZE = 1024
NOTIFICATION_FIELDS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
CONFIRMATION_FIELDS = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")


@dataclass
class SigningMaterial:
    key_pem: str
    cert_pem: str


def canonical_string(message: dict[str, str]) -> str:
    """`Name\\nvalue\\n` for each signed field present, in the documented order."""
    fields = NOTIFICATION_FIELDS if message.get("Type") == "Notification" else CONFIRMATION_FIELDS
    return "".join(f"{name}\n{message[name]}\n" for name in fields if message.get(name) is not None)


def _generate() -> SigningMaterial:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return SigningMaterial(key_pem, certificate.public_bytes(serialization.Encoding.PEM).decode())


class Signer:
    def __init__(self, store: Store, base_url: str) -> None:
        self.base_url = base_url
        self._table: RecordTable[SigningMaterial] = RecordTable(store, "sns.signing", SigningMaterial)
        self._key: rsa.RSAPrivateKey | None = None
        self.cert_pem = ""
        self.cert_id = ""
        self._cache: OrderedDict[tuple[str, bytes], str] = OrderedDict()

    async def load(self) -> None:
        material = self._table.get("", "", "certificate")
        if material is None:
            material = _generate()
            await self._table.put("", "", "certificate", material)
        key = serialization.load_pem_private_key(material.key_pem.encode(), password=None)
        assert isinstance(key, rsa.RSAPrivateKey)
        self._key = key
        self.cert_pem = material.cert_pem
        self.cert_id = hashlib.md5(material.cert_pem.encode()).hexdigest()

    @property
    def cert_file(self) -> str:
        return f"SimpleNotificationService-{self.cert_id}.pem"

    @property
    def cert_url(self) -> str:
        return f"{self.base_url}{CERT_PATH_PREFIX}{self.cert_file}"

    def sign(self, canonical: str, version: str) -> str:
        """Base64 signature; fan-out signs each message once, whatever the number of subscribers."""
        data = canonical.encode("utf-8")
        cache_key = (version, hashlib.sha1(data).digest())
        cached = self._cache.get(cache_key)
        if cached is not None:
            return cached
        if self._key is None:
            raise RuntimeError("the SNS signing key is not loaded")
        algorithm = hashes.SHA256() if version == "2" else hashes.SHA1()
        signature = base64.b64encode(self._key.sign(data, padding.PKCS1v15(), algorithm)).decode()
        self._cache[cache_key] = signature
        if len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
        return signature
