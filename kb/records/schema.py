"""``schema.yaml``: every record type and field, derived from the models in kb.records.models.

The file is generated, never edited (``python -m kb.records.schema --write``); a test
proves it equals :func:`schema_text`, so the schema and the models cannot drift.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import yaml
from pydantic import BaseModel

from kb import paths
from kb.records.models import ArticleFacts, Claim, Document, Event, Organization, Person, Provenance, Record, Role

SCHEMA_TYPES: tuple[type[BaseModel], ...] = (ArticleFacts, Event, Organization, Person, Role, Document, Claim, Provenance)
_SCHEMA_HEADER = "# Generated from kb/records/models.py by `python -m kb.records.schema --write`; do not edit.\n"


def _type_name(prop: dict[str, Any]) -> str:
    if "$ref" in prop:
        return prop["$ref"].rsplit("/", 1)[-1]
    if prop.get("type") == "array":
        return f"list[{_type_name(prop['items'])}]"
    if prop.get("format") == "partial-date":
        return "date"
    return prop["type"]


def _field_schema(prop: dict[str, Any], required: bool) -> dict[str, Any]:
    options = [o for o in prop.get("anyOf", [prop]) if o.get("type") != "null"]
    out: dict[str, Any] = {"type": " | ".join(_type_name(o) for o in options)}
    if len(options) < len(prop.get("anyOf", [prop])):
        out["nullable"] = True
    enums = [value for o in options for value in o.get("enum", [])]
    if enums:
        out["enum"] = enums
    out["required"] = required
    if prop.get("readOnly"):
        out["computed"] = True
    out["description"] = prop.get("description") or options[0].get("description", "")
    return out


def _model_schema(model: type[BaseModel]) -> dict[str, Any]:
    js = model.model_json_schema(mode="serialization", ref_template="{model}")
    required = {name for name, info in model.model_fields.items() if info.is_required()}
    base = list(Record.model_fields) if issubclass(model, Record) else []
    order = [n for n in model.model_fields if n not in base] + list(model.model_computed_fields) + base
    fields = {name: _field_schema(js["properties"][name], name in required) for name in order}
    out: dict[str, Any] = {"description": (model.__doc__ or "").strip().splitlines()[0]}
    if issubclass(model, Record):
        out["id"] = f"{model.id_form}; keys normalised by normalise_key"
    out["fields"] = fields
    return out


def schema() -> dict[str, Any]:
    """Every record type and field (type, enum, required, description), derived from the models."""
    return {"types": {model.__name__: _model_schema(model) for model in SCHEMA_TYPES}}


def schema_text() -> str:
    return _SCHEMA_HEADER + yaml.safe_dump(schema(), allow_unicode=True, sort_keys=False, width=10**9)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kb.records.schema", description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="regenerate schema.yaml from the models")
    args = parser.parse_args(argv)
    if args.write:
        paths.schema_path().write_text(schema_text(), encoding="utf-8")
        print(f"wrote {paths.schema_path()}")
    else:
        sys.stdout.write(schema_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
