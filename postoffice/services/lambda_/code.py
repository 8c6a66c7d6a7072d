"""Function and layer code on disk: uploaded zips unpacked under the data directory, or a host
directory used in place (hot reload).

Zips are content-addressed: `<data>/lambda/code/<sha256 hex>/` holds the unpacked tree and
`<hex>.zip` the archive, shared by every function, version and layer with the same bytes.

Hot reload follows LocalStack's convention so existing setups work unchanged: a `Code` (or
UpdateFunctionCode) with `S3Bucket` "hot-reload" and `S3Key` an absolute directory path runs
the code in that directory. Each invoke compares the directory's files (paths, sizes and
modification times) with what the warm environments loaded; on a change they are replaced,
so an edit on disk takes effect on the next invoke.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import io
import os
import shutil
import stat
import zipfile
from collections.abc import Iterable

from postoffice.protocol.errors import ServiceError
from postoffice.services.lambda_.errors import entity_too_large, invalid
from postoffice.services.lambda_.records import Code

HOT_RELOAD_BUCKET = "hot-reload"
MAX_ZIP_BYTES = 50 * 1024 * 1024
ZIP_LIMIT_REPORTED = 69905067  # what AWS's message quotes: the base64 size of 50 MiB (+ JSON)
MAX_UNZIPPED_BYTES = 262_144_000
_SKIPPED_DIRS = frozenset({"__pycache__", ".git", ".mypy_cache", ".pytest_cache", ".ruff_cache"})


def cannot_unzip() -> ServiceError:
    return invalid("Could not unzip uploaded file. Please check your file, then try to upload again.")


class CodeStore:
    def __init__(self, data_dir: str) -> None:
        self.root = os.path.join(os.path.abspath(data_dir), "lambda", "code")

    async def from_zip(self, data: bytes, operation: str) -> Code:
        if len(data) > MAX_ZIP_BYTES:
            raise entity_too_large(ZIP_LIMIT_REPORTED, operation)
        return await asyncio.to_thread(self._unpack, data)

    async def from_source(self, params: dict[str, object], operation: str) -> Code:
        """Code from a request's ZipFile or S3Bucket/S3Key (hot reload)."""
        zip_file = params.get("ZipFile")
        bucket, key = params.get("S3Bucket"), params.get("S3Key")
        if isinstance(zip_file, bytes):
            return await self.from_zip(zip_file, operation)
        if bucket == HOT_RELOAD_BUCKET:
            return host_directory(str(key or ""))
        if bucket or key:
            raise invalid(
                "Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified bucket "
                "does not exist"
            )
        if params.get("ImageUri"):
            raise invalid("postoffice runs Zip functions only: container images (ImageUri) need Docker.")
        raise invalid("Please provide a source for function code.")

    def _unpack(self, data: bytes) -> Code:
        digest = hashlib.sha256(data)
        name = digest.hexdigest()
        target = os.path.join(self.root, name)
        archive = target + ".zip"
        if not os.path.isdir(target):
            staging = f"{target}.tmp-{os.getpid()}-{id(data)}"
            shutil.rmtree(staging, ignore_errors=True)
            try:
                _extract(data, staging)
                os.makedirs(self.root, exist_ok=True)
                with open(archive, "wb") as file:
                    file.write(data)
                os.replace(staging, target)
            except OSError:
                shutil.rmtree(staging, ignore_errors=True)
                if not os.path.isdir(target):
                    raise
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        return Code(base64.b64encode(digest.digest()).decode(), len(data), target, False, archive)

    def forget_unused(self, used_roots: Iterable[str]) -> None:
        """Delete unpacked code no function version or layer refers to any more."""
        keep = {os.path.abspath(root) for root in used_roots}
        if not os.path.isdir(self.root):
            return
        for entry in os.listdir(self.root):
            path = os.path.join(self.root, entry)
            directory = path.removesuffix(".zip")
            if directory in keep or ".tmp-" in entry:
                continue
            if os.path.isdir(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                with contextlib.suppress(FileNotFoundError):
                    os.remove(path)

    def clear(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def host_directory(path: str) -> Code:
    if not os.path.isabs(path):
        raise invalid(f"The hot-reload S3Key must be an absolute path to a directory on this machine: {path}")
    if not os.path.isdir(path):
        raise invalid(
            "Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: "
            "The specified key does not exist."
        )
    sha = base64.b64encode(hashlib.sha256(path.encode()).digest()).decode()
    return Code(sha, 0, os.path.abspath(path), True, "")


def tree_signature(root: str) -> str:
    """What changes when any file under `root` is added, removed, resized or touched."""
    digest = hashlib.blake2b(digest_size=16)
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = sorted(d for d in subdirectories if d not in _SKIPPED_DIRS)
        for name in sorted(files):
            try:
                info = os.stat(os.path.join(directory, name))
            except OSError:
                continue
            digest.update(f"{directory}/{name}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _extract(data: bytes, target: str) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise cannot_unzip() from None
    with archive:
        members = archive.infolist()
        if sum(member.file_size for member in members) > MAX_UNZIPPED_BYTES:
            raise invalid(f"Unzipped size must be smaller than {MAX_UNZIPPED_BYTES} bytes")
        base = os.path.realpath(target)
        os.makedirs(target)
        for member in members:
            destination = os.path.realpath(os.path.join(target, member.filename))
            if destination != base and not destination.startswith(base + os.sep):
                raise cannot_unzip()
            mode = (member.external_attr >> 16) & 0o7777
            if member.is_dir():
                os.makedirs(destination, exist_ok=True)
                continue
            if stat.S_ISLNK(member.external_attr >> 16):
                continue
            os.makedirs(os.path.dirname(destination), exist_ok=True)
            try:
                with archive.open(member) as source, open(destination, "wb") as sink:
                    shutil.copyfileobj(source, sink)
            except (zipfile.BadZipFile, RuntimeError, EOFError, NotImplementedError):
                raise cannot_unzip() from None
            os.chmod(destination, (mode & 0o777) | 0o644 if mode else 0o644)
