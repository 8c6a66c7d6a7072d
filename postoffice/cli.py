"""The `postoffice` command: serve, status, reset."""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
from dataclasses import fields

from postoffice import __version__
from postoffice.config import Settings


def _serve_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    defaults = Settings()
    serve = sub.add_parser("serve", help="run the server")
    serve.add_argument("--host", default=defaults.host, help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=defaults.port, help="port (default 4566)")
    serve.add_argument("--data-dir", default=defaults.data_dir, help="where the sqlite store lives")
    serve.add_argument(
        "--store", default=defaults.store, help="sqlite (default), memory, or a postgresql:// URL"
    )
    serve.add_argument("--clock", choices=["real", "virtual"], default=defaults.clock)
    serve.add_argument("--default-account", default=defaults.default_account)
    serve.add_argument("--default-region", default=defaults.default_region)
    serve.add_argument(
        "--log-level", default=defaults.log_level, choices=["debug", "info", "warning", "error"]
    )


def _endpoint_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--endpoint", default=Settings().endpoint, help="the running server")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="postoffice", description="AWS messaging services, locally.")
    parser.add_argument("--version", action="version", version=f"postoffice {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    _serve_parser(sub)
    status = sub.add_parser("status", help="show a running server's health")
    _endpoint_arguments(status)
    reset = sub.add_parser("reset", help="forget every resource (or one service's)")
    _endpoint_arguments(reset)
    reset.add_argument("--service", help="only this service")
    args = parser.parse_args(argv)

    if args.command == "serve":
        from postoffice.server.main import serve

        names = {f.name for f in fields(Settings)}
        settings = Settings(**{k: v for k, v in vars(args).items() if k in names})
        serve(settings)
        return 0
    if args.command == "status":
        return _call(args.endpoint, "GET", "/_postoffice/health", None)
    if args.command == "reset":
        body = {"service": args.service} if args.service else {}
        return _call(args.endpoint, "POST", "/_postoffice/reset", body)
    return 2


def _call(endpoint: str, method: str, path: str, body: dict[str, object] | None) -> int:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(endpoint.rstrip("/") + path, data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            print(json.dumps(json.loads(response.read()), indent=2))
            return 0
    except urllib.error.HTTPError as exc:
        print(exc.read().decode(errors="replace"), file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"postoffice is not answering at {endpoint}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
