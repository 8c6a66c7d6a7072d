"""Settings: command-line flags, with POSTOFFICE_* environment variables as defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

DEFAULT_ACCOUNT = "000000000000"
DEFAULT_REGION = "us-east-1"


def _env(name: str, default: str) -> str:
    return os.environ.get(f"POSTOFFICE_{name}", default)


@dataclass
class Settings:
    host: str = field(default_factory=lambda: _env("HOST", "127.0.0.1"))
    port: int = field(default_factory=lambda: int(_env("PORT", "4566")))
    data_dir: str = field(default_factory=lambda: _env("DATA_DIR", ".postoffice"))
    store: str = field(default_factory=lambda: _env("STORE", "sqlite"))
    clock: str = field(default_factory=lambda: _env("CLOCK", "real"))
    default_account: str = field(default_factory=lambda: _env("DEFAULT_ACCOUNT", DEFAULT_ACCOUNT))
    default_region: str = field(default_factory=lambda: _env("DEFAULT_REGION", DEFAULT_REGION))
    log_level: str = field(default_factory=lambda: _env("LOG_LEVEL", "info"))
    max_body_bytes: int = field(default_factory=lambda: int(_env("MAX_BODY_BYTES", str(72 * 1024 * 1024))))

    @property
    def endpoint(self) -> str:
        host = "localhost" if self.host in ("127.0.0.1", "0.0.0.0", "::1", "::") else self.host
        return f"http://{host}:{self.port}"
