"""Which local Python interpreter runs a `pythonX.Y` runtime.

Candidates are `python3.N` on PATH, pyenv's installed versions (a pyenv shim on PATH works
only for the versions pyenv has selected, so the versions directory is searched too) and
postoffice's own interpreter. Each candidate is run once to learn its real executable and
version, so shims cost nothing per cold start. The exact minor version wins; otherwise the
closest one, the newer on a tie.
"""

from __future__ import annotations

import asyncio
import glob
import os
import shutil
import sys
from dataclasses import dataclass

OLDEST_MINOR = 8  # the bootstrap's own floor
NEWEST_MINOR = 20
PROBE = "import sys; print(sys.executable); print(sys.version.split()[0]); print(sys.version_info[1])"


@dataclass(frozen=True)
class Interpreter:
    path: str
    version: str  # e.g. 3.12.1
    minor: int


class NoInterpreter(Exception):
    pass


class Interpreters:
    def __init__(self) -> None:
        self._found: list[Interpreter] | None = None
        self._lock = asyncio.Lock()

    async def for_runtime(self, runtime: str) -> tuple[Interpreter, bool]:
        """The interpreter for `runtime` (e.g. python3.12) and whether it is the exact version."""
        wanted = _minor_of(runtime)
        found = await self._discover()
        exact = [item for item in found if item.minor == wanted]
        if exact:
            return exact[0], True
        if not found:
            raise NoInterpreter(
                f"No local Python interpreter can run {runtime}: install python3.{wanted} "
                f"(or any python3.{OLDEST_MINOR}+) and put it on PATH."
            )
        closest = min(found, key=lambda item: (abs(item.minor - wanted), -item.minor))
        return closest, False

    async def discover(self) -> list[Interpreter]:
        """Every usable interpreter, newest minor version last (found once, then remembered)."""
        return await self._discover()

    async def _discover(self) -> list[Interpreter]:
        async with self._lock:
            if self._found is None:
                probes = await asyncio.gather(*(_probe(path) for path in _candidates()))
                unique: dict[str, Interpreter] = {}
                for item in probes:
                    if item is not None and OLDEST_MINOR <= item.minor:
                        unique.setdefault(os.path.realpath(item.path), item)
                by_minor: dict[int, Interpreter] = {}
                for item in unique.values():
                    by_minor.setdefault(item.minor, item)
                self._found = sorted(by_minor.values(), key=lambda item: item.minor)
            return self._found


def _minor_of(runtime: str) -> int:
    try:
        return int(runtime.removeprefix("python").split(".", 1)[1])
    except (IndexError, ValueError):
        return sys.version_info[1]


def _candidates() -> list[str]:
    paths: list[str] = []
    for minor in range(OLDEST_MINOR, NEWEST_MINOR + 1):
        found = shutil.which(f"python3.{minor}")
        if found:
            paths.append(found)
    pyenv_root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    paths.extend(sorted(glob.glob(os.path.join(pyenv_root, "versions", "3.*", "bin", "python3.*[0-9]"))))
    paths.append(sys.executable)
    seen: set[str] = set()
    return [path for path in paths if not (path in seen or seen.add(path))]


async def _probe(path: str) -> Interpreter | None:
    try:
        process = await asyncio.create_subprocess_exec(
            path, "-c", PROBE,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
    except OSError:
        return None
    try:
        output, _ = await asyncio.wait_for(process.communicate(), timeout=15)
    except TimeoutError:
        process.kill()
        await process.wait()
        return None
    lines = output.decode(errors="replace").split()
    if process.returncode != 0 or len(lines) != 3 or not lines[2].isdigit():
        return None
    return Interpreter(path=lines[0] or path, version=lines[1], minor=int(lines[2]))
