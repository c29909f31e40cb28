"""One YAML file to a validated model; every problem is one line naming file and key."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from golive import strict_yaml
from golive.errors import InventoryError

ModelT = TypeVar("ModelT", bound=BaseModel)


def read_yaml(path: Path) -> tuple[dict[str, Any], str]:
    """The file's top-level mapping and its digest; InventoryError with one line."""
    raw, digest, _ = read_yaml_lines(path)
    return raw, digest


def read_yaml_lines(path: Path) -> tuple[dict[str, Any], str, strict_yaml.Lines]:
    """The file's top-level mapping, its digest and the line of each key; a key given twice is an error."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InventoryError(str(path), "", f"cannot read it ({exc.strerror}); pass an existing file") from None
    try:
        raw, lines = strict_yaml.load_with_lines(data)
    except strict_yaml.DuplicateKey as exc:
        raise InventoryError(
            str(path),
            exc.key,
            f"given twice, at {path}:{exc.first} and {path}:{exc.second}; keep one (YAML would silently use the last)",
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise InventoryError(str(path), where, f"{problem}; fix the YAML syntax") from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise InventoryError(str(path), "", "expected a mapping at the top level (hosts:, waivers:, ...)")
    return raw, hashlib.sha256(data).hexdigest(), lines


def validate(
    model: type[ModelT], raw: Any, file: str, prefix: str = "", context: dict[str, Any] | None = None
) -> ModelT:
    """``raw`` as ``model``; the first problem as InventoryError naming ``file`` and the key (under ``prefix``).
    ``context``: the validators' (``ValidationInfo.context``)."""
    try:
        return model.model_validate(raw, context=context)
    except ValidationError as exc:
        error = exc.errors()[0]
        key = ".".join([prefix] * bool(prefix) + [_key_part(part) for part in error["loc"]])
        key = key.replace(".[", "[")
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] not in ("value_error", "missing", "extra_forbidden"):
            message = f"{message}, got {error.get('input')!r}"
        raise InventoryError(file, key, message) from None


def _key_part(part: str | int) -> str:
    return f"[{part}]" if isinstance(part, int) else str(part)
