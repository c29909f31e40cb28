"""The inventory reference and hosts.yaml's JSON Schema, generated from the inventory model.

``python -m golive.inventory_reference [DIR]`` writes ``DIR/inventory.md`` (every key with
its type, default and description) and ``DIR/hosts.schema.json`` (for editors: a
``# yaml-language-server: $schema=...`` line in hosts.yaml validates and completes it);
DIR defaults to ``docs``. Both come from the pydantic models behind ``golive.inventory``,
so they cannot say what the model does not: a key's description is the model's own
(``Field(description=...)`` or the docstring under the attribute), else its entry in
``golive/knowledge/inventory_keys.yaml``.
"""

from __future__ import annotations

import ast
import inspect
import itertools
import json
import sys
import textwrap
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import PydanticUndefined, core_schema

from golive.inventory import HostSettings, InventoryFile
from golive.units import parse_duration, parse_size

KEYS_FILE = Path(__file__).parent / "knowledge" / "inventory_keys.yaml"
SCHEMA_NAME = "hosts.schema.json"
REFERENCE_NAME = "inventory.md"
DURATION = {"type": "string", "format": "duration", "pattern": r"^\s*(\d+(\.\d+)?\s*(ms|s|m|h|d|w)\s*)+$"}
SIZE = {"type": "string", "format": "size", "pattern": r"^\s*\d+(\.\d+)?\s*([kKmMgGtT][iI]?)?[bB]?\s*$"}
# mappings from a name the user chooses to a section: shown as <name> in a key's path
NAMED_SECTIONS = {"hosts": "<name>", "credentials": "<name>", "kubernetes": "<cluster>"}


class InventorySchema(GenerateJsonSchema):
    """pydantic's JSON Schema, widened to what hosts.yaml may say before validators convert it."""

    def function_before_schema(self, schema: core_schema.BeforeValidatorFunctionSchema) -> JsonSchemaValue:
        function = schema["function"]["function"]
        inner = super().function_before_schema(schema)
        if function is parse_duration:
            return {"anyOf": [{"type": "number", "minimum": 0}, DURATION]}
        if function is parse_size:
            return {"anyOf": [{"type": "integer", "minimum": 0}, SIZE]}
        if getattr(function, "__name__", "") == "_known_keys":  # the strict base: no other input shape
            return inner
        if "$ref" in inner or inner.get("type") == "object":  # a section also written as one line
            return {"anyOf": [inner, {"type": "string"}]}
        return _widened(inner)


def _widened(node: JsonSchemaValue) -> JsonSchemaValue:
    """A field whose validator converts its input: one value stands for a list of one, ints for strings."""
    if "anyOf" in node:
        return {**node, "anyOf": [_widened(branch) for branch in node["anyOf"]]}
    if node.get("type") == "array":
        item = _widened(node.get("items", {}))
        return {"anyOf": [{**node, "items": item}, item]}
    if node.get("type") == "string" and "pattern" not in node:
        return {**node, "type": ["string", "integer"]}
    return node


def schema() -> dict[str, Any]:
    """The JSON Schema of hosts.yaml, with every key's description."""
    document = InventoryFile.model_json_schema(mode="validation", schema_generator=InventorySchema)
    definitions = document.setdefault("$defs", {})
    # hosts: is read as plain mappings and validated per host after defaults: merge in
    document["properties"]["hosts"]["additionalProperties"] = {"$ref": "#/$defs/HostSettings"}
    for model in models():
        node = definitions.get(model.__name__, document if model is InventoryFile else None)
        if node is None:
            continue
        if "anyOf" in node:  # a section also written as one line: the model's own keys go with its mapping
            node["anyOf"][0]["additionalProperties"] = node.pop("additionalProperties", False)
            node = node["anyOf"][0]
        for name, text in descriptions(model).items():
            if name in node.get("properties", {}):
                node["properties"][name]["description"] = text
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "golive hosts.yaml",
        **{key: value for key, value in document.items() if key != "title"},
    }


def models() -> list[type[BaseModel]]:
    """Every section model of hosts.yaml, in reading order (the top level first)."""
    found: list[type[BaseModel]] = []

    def visit(model: type[BaseModel]) -> None:
        if model in found:
            return
        found.append(model)
        for field in model.model_fields.values():
            for inner in _section_types(field.annotation):
                visit(inner)
        if model is InventoryFile:
            visit(HostSettings)

    visit(InventoryFile)
    return found


def _section_types(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for argument in getattr(annotation, "__args__", ()):
        yield from _section_types(argument)


@cache
def _keys_file() -> dict[str, str]:
    loaded = yaml.safe_load(KEYS_FILE.read_text())
    return {str(key): " ".join(str(text).split()) for key, text in (loaded or {}).items()}


def descriptions(model: type[BaseModel]) -> dict[str, str]:
    """Key → description, from the model first, else from inventory_keys.yaml."""
    own = model_descriptions(model)
    listed = _keys_file()
    found = {}
    for name in model.model_fields:
        text = own.get(name) or _inherited(model, name, listed)
        if text:
            found[name] = text
    return found


def _inherited(model: type[BaseModel], name: str, listed: dict[str, str]) -> str:
    for owner in model.__mro__:
        if f"{owner.__name__}.{name}" in listed:
            return listed[f"{owner.__name__}.{name}"]
    return ""


def model_descriptions(model: type[BaseModel]) -> dict[str, str]:
    """Key → description the model itself gives: ``Field(description=...)`` or an attribute docstring."""
    found = {name: field.description for name, field in model.model_fields.items() if field.description}
    for owner in model.__mro__:
        if isinstance(owner, type) and issubclass(owner, BaseModel) and owner is not BaseModel:
            for name, text in _attribute_docstrings(owner).items():
                if name in model.model_fields:
                    found.setdefault(name, text)
    return found


@cache
def _attribute_docstrings(model: type[BaseModel]) -> dict[str, str]:
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(model)))
    except (OSError, TypeError):
        return {}
    body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
    found = {}
    for statement, following in itertools.pairwise(body):
        if (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            found[statement.target.id] = " ".join(following.value.value.split())
    return found


def undescribed() -> list[str]:
    """``Model.key`` of every key without a description (the reference wants none)."""
    missing = [(model, name) for model in models() for name in model.model_fields if name not in descriptions(model)]
    return [f"{model.__name__}.{name}" for model, name in missing]


def unused_entries() -> list[str]:
    """Entries of inventory_keys.yaml naming no key, or a key the model already describes."""
    known = {f"{model.__name__}.{name}": model for model in models() for name in model.model_fields}
    return [
        entry
        for entry in _keys_file()
        if entry not in known or entry.split(".", 1)[1] in model_descriptions(known[entry])
    ]


def _anchor(model: type[BaseModel]) -> str:
    return model.__name__.lower()


def _paths() -> dict[type[BaseModel], str]:
    """Each section model → the path it is documented under (the first one reaching it)."""
    paths: dict[type[BaseModel], str] = {InventoryFile: "", HostSettings: "hosts.<name>"}
    queue: list[type[BaseModel]] = [InventoryFile, HostSettings]
    while queue:
        model = queue.pop(0)
        for name, field in model.model_fields.items():
            prefix = f"{paths[model]}.{name}" if paths[model] else name
            if name in NAMED_SECTIONS and model is InventoryFile:
                prefix = f"{prefix}.{NAMED_SECTIONS[name]}"
            elif _is_list(field.annotation):
                prefix = f"{prefix}[]"
            for inner in _section_types(field.annotation):
                if inner not in paths:
                    paths[inner] = prefix
                    queue.append(inner)
    return paths


def _is_list(annotation: Any) -> bool:
    return getattr(annotation, "__origin__", None) is tuple or any(
        _is_list(argument) for argument in getattr(annotation, "__args__", ())
    )


def type_text(node: JsonSchemaValue, paths: dict[str, str]) -> str:
    """A key's type in words, read from its JSON Schema; a section links to its table."""
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[1]
        return f"[`{paths.get(name, name)}`](#{name.lower()})"
    if "anyOf" in node:
        branches = [branch for branch in node["anyOf"] if branch.get("type") != "null"]
        formats = [branch.get("format") for branch in branches]
        if "duration" in formats:
            return "duration"
        if "size" in formats:
            return "size"
        words = list(dict.fromkeys(type_text(branch, paths) for branch in branches))
        return " or ".join(words)
    if "enum" in node:
        return "one of " + ", ".join(f"`{value}`" for value in node["enum"])
    if "const" in node:
        return f"`{node['const']}`"
    kind = node.get("type", "any")
    if kind == "array":
        return "list of " + type_text(node.get("items", {}), paths)
    if kind == "object":
        values = node.get("additionalProperties") or next(iter(node.get("patternProperties", {}).values()), None)
        return "mapping" + (f" of name to {type_text(values, paths)}" if isinstance(values, dict) and values else "")
    if isinstance(kind, list):
        return " or ".join(str(each) for each in kind)
    return str(kind) + _bounds(node)


def _bounds(node: JsonSchemaValue) -> str:
    low = ("≥", node["minimum"]) if "minimum" in node else (">", node.get("exclusiveMinimum"))
    high = ("≤", node["maximum"]) if "maximum" in node else ("<", node.get("exclusiveMaximum"))
    parts = [f"{sign} {value:g}" for sign, value in (low, high) if value is not None]
    return f" ({', '.join(parts)})" if parts else ""


def default_text(value: Any, kind: str) -> str:
    """A default as it would be written in hosts.yaml."""
    if value is PydanticUndefined:
        return "required"
    if isinstance(value, BaseModel):
        return ""
    if value is None:
        return "none"
    if kind == "duration" and isinstance(value, (int, float)):
        return _duration(float(value))
    if kind == "size" and isinstance(value, int):
        return _size(value)
    if isinstance(value, (tuple, list)) and not value:
        return "`[]`"
    if isinstance(value, dict) and not value:
        return "`{}`"
    text = json.dumps(list(value) if isinstance(value, tuple) else value, ensure_ascii=False)
    escaped = text.replace("|", "\\|")
    return f"`{escaped}`"


def _duration(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0 and not (unit == "d" and seconds < 2 * 86400):
            return f"`{seconds / size:g}{unit}`"
    return f"`{seconds:g}s`"


def _size(value: int) -> str:
    for unit, factor in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10), ("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if value >= factor and value % factor == 0:
            return f"`{value // factor}{unit}`"
    return f"`{value}`"


def reference() -> str:
    """docs/inventory.md: every key of hosts.yaml with its type, default and description."""
    document = schema()
    definitions = document["$defs"]
    paths = _paths()
    names = {model.__name__: path for model, path in paths.items()}
    lines = [
        "# Inventory reference (`hosts.yaml`)",
        "",
        "<!-- generated by `python -m golive.inventory_reference` from the inventory model; do not edit -->",
        "",
        "Every key golive reads from `hosts.yaml` (or the file `--inventory=PATH` names), generated",
        "from the model that validates it. Unknown keys, wrong types, bad values and unset environment",
        "variables end the run as a usage error, exit status 4, with one line naming the file, the key",
        "and the fix:",
        "",
        "```",
        "hosts.yaml: hosts.web1.command_timeout: expected a duration like 90s, 15m, 26h, 30d or 1h30m, got '24hours'",
        "```",
        "",
        "Durations are written `90s`, `15m`, `26h`, `30d` or `1h30m`",
        "(a bare number is seconds); sizes `500MB`, `1GB` or `2GiB` (a bare number is bytes).",
        "An annotated example: [hosts.example.yaml](hosts.example.yaml).",
        "",
        f"Editors validate and complete `hosts.yaml` with its JSON Schema, [{SCHEMA_NAME}]({SCHEMA_NAME}):",
        "with the YAML language server (VS Code's YAML extension, and others), put this first line in the file,",
        "the path relative to it or a URL:",
        "",
        "```yaml",
        f"# yaml-language-server: $schema=docs/{SCHEMA_NAME}",
        "```",
        "",
    ]
    for model in models():
        node = document if model is InventoryFile else definitions[model.__name__]
        node = node["anyOf"][0] if "anyOf" in node else node
        title = "The top level" if model is InventoryFile else f"`{paths.get(model, model.__name__)}`"
        lines += [f'<a id="{_anchor(model)}"></a>', "", f"## {title}", ""]
        doc = inspect.cleandoc(model.__doc__ or "")
        if doc:
            lines += [doc, ""]
        if model is HostSettings:
            lines += ["`defaults:` takes the same keys; a host's own keys win, mappings merge.", ""]
        lines += ["| key | type | default | description |", "|---|---|---|---|"]
        described = descriptions(model)
        for name, field in model.model_fields.items():
            property_node = node.get("properties", {}).get(name, {})
            if model is InventoryFile and name == "hosts":
                kind = f"mapping of name to {type_text({'$ref': '#/$defs/HostSettings'}, names)}"
            else:
                kind = type_text(property_node, names)
            default = field.get_default(call_default_factory=True)
            text = described.get(name, "").replace("|", "\\|")
            lines.append(f"| `{name}` | {kind} | {default_text(default, kind)} | {text} |")
        lines.append("")
    return "\n".join(lines)


def write(directory: Path) -> list[Path]:
    """Write both files into ``directory``; return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    schema_path = directory / SCHEMA_NAME
    schema_path.write_text(json.dumps(schema(), indent=2, ensure_ascii=False) + "\n")
    reference_path = directory / REFERENCE_NAME
    reference_path.write_text(reference())
    return [reference_path, schema_path]


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    for path in write(Path(arguments[0] if arguments else "docs")):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
