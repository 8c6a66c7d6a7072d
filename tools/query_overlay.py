"""Write the query-protocol overlay for a service whose current botocore model lost its query traits.

Reads a botocore `service-2.json` that still has `"protocol": "query"` (for SQS, the one in
botocore 1.31.80, the last release before SQS moved to JSON) and compares it with the model
botocore ships today. Only what differs goes into the overlay: members' `locationName` and
`flattened`, list item names, map key/value names, result wrappers and the XML namespace.

    pip download botocore==1.31.80 --no-deps -d /tmp/bc && unzip -o -q /tmp/bc/*.whl -d /tmp/bc
    python tools/query_overlay.py /tmp/bc/botocore/data/sqs/2012-11-05/service-2.json \\
        --extra MessageSystemAttributeList.member=MessageSystemAttributeName \\
        > postoffice/protocol/overlays/sqs.json

`--extra LIST.member=NAME` names the items of a list shape newer than the old model (SQS's
`MessageSystemAttributeNames` is sent as `MessageSystemAttributeName.N`). Members and
shapes of the current model that the old one does not know are listed on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from botocore.loaders import Loader
from botocore.model import ServiceModel, Shape


def _traits(shape: Shape) -> tuple[str | None, bool]:
    return shape.serialization.get("name"), bool(shape.serialization.get("flattened"))


def _structure_entries(name: str, old: Shape, new: Shape, out: dict[str, Any], missing: list[str]) -> None:
    for member_name, member in new.members.items():
        if member_name not in old.members:
            missing.append(f"{name}.{member_name}")
            continue
        old_name, old_flat = _traits(old.members[member_name])
        new_name, new_flat = _traits(member)
        entry: dict[str, Any] = {}
        if old_name != new_name:
            entry["name"] = old_name or member_name
        if old_flat != new_flat:
            entry["flattened"] = old_flat
        if entry:
            out[f"{name}.{member_name}"] = entry


def _list_entry(old: Shape, new: Shape) -> dict[str, Any]:
    old_item, old_flat = old.member.serialization.get("name"), bool(old.serialization.get("flattened"))
    new_item, new_flat = new.member.serialization.get("name"), bool(new.serialization.get("flattened"))
    entry: dict[str, Any] = {}
    if old_item != new_item and old_item:
        entry["member"] = old_item
    if old_flat != new_flat:
        entry["flattened"] = old_flat
    return entry


def _map_entry(old: Shape, new: Shape) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    for part, default in (("key", "key"), ("value", "value")):
        old_name = getattr(old, part).serialization.get("name") or default
        new_name = getattr(new, part).serialization.get("name") or default
        if old_name != new_name:
            entry[part] = old_name
    if bool(old.serialization.get("flattened")) != bool(new.serialization.get("flattened")):
        entry["flattened"] = bool(old.serialization.get("flattened"))
    return entry


def build_overlay(old: ServiceModel, new: ServiceModel, extras: list[str]) -> tuple[dict[str, Any], list[str]]:
    overlay: dict[str, Any] = {
        "xmlNamespace": old.metadata.get("xmlNamespace", ""),
        "resultWrappers": {},
        "members": {},
        "lists": {},
        "maps": {},
    }
    missing: list[str] = []
    for operation_name in new.operation_names:
        if operation_name not in old.operation_names:
            missing.append(f"operation {operation_name}")
            continue
        output = old.operation_model(operation_name).output_shape
        wrapper = output.serialization.get("resultWrapper") if output is not None else None
        if wrapper:
            overlay["resultWrappers"][operation_name] = wrapper
    old_names = set(old.shape_names)
    for shape_name in new.shape_names:
        new_shape = new.shape_for(shape_name)
        if shape_name not in old_names:
            if new_shape.type_name in ("list", "map") or (
                new_shape.type_name == "structure" and not new_shape.metadata.get("exception")
            ):
                missing.append(f"shape {shape_name}")
            continue
        old_shape = old.shape_for(shape_name)
        if old_shape.type_name != new_shape.type_name:
            missing.append(f"shape {shape_name} (was {old_shape.type_name})")
        elif new_shape.type_name == "structure" and not new_shape.metadata.get("exception"):
            _structure_entries(shape_name, old_shape, new_shape, overlay["members"], missing)
        elif new_shape.type_name == "list":
            entry = _list_entry(old_shape, new_shape)
            if entry:
                overlay["lists"][shape_name] = entry
        elif new_shape.type_name == "map":
            entry = _map_entry(old_shape, new_shape)
            if entry:
                overlay["maps"][shape_name] = entry
    for extra in extras:
        target, _, item_name = extra.partition("=")
        shape_name, _, part = target.partition(".")
        if part != "member" or not item_name or shape_name not in new.shape_names:
            raise SystemExit(f"--extra {extra!r}: expected LIST.member=NAME naming a list shape of the current model")
        overlay["lists"].setdefault(shape_name, {})["member"] = item_name
    return overlay, missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("old_model", type=Path, help="a botocore service-2.json with the query protocol")
    parser.add_argument("--service", help="botocore service name (default: the model's endpointPrefix)")
    parser.add_argument("--extra", action="append", default=[], metavar="LIST.member=NAME")
    args = parser.parse_args(argv)
    old_data = json.loads(args.old_model.read_text())
    if old_data.get("metadata", {}).get("protocol") != "query":
        raise SystemExit(f"{args.old_model}: not a query-protocol model")
    service = args.service or old_data["metadata"]["endpointPrefix"]
    old = ServiceModel(old_data, service_name=service)
    new = ServiceModel(Loader().load_service_model(service, "service-2"), service_name=service)
    overlay, missing = build_overlay(old, new, args.extra)
    overlay = {
        "source": f"botocore {old_data['metadata'].get('uid', service)} query model, {args.old_model.name}",
        "generatedBy": " ".join(["tools/query_overlay.py", args.old_model.name, *(f"--extra {e}" for e in args.extra)]),
        **overlay,
    }
    json.dump(overlay, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")
    for item in missing:
        print(f"not in the old model: {item}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
