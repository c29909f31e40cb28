"""The strict base of every inventory section, and the value types sections share."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, model_validator

from golive.units import parse_duration, parse_size

Duration = Annotated[float, BeforeValidator(parse_duration)]
Size = Annotated[int, BeforeValidator(parse_size)]
CRITERION_ID = re.compile(r"^[A-Z][A-Z0-9]*-\d{2,3}$")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
DAY = 86400.0
ABSOLUTE_PATH = r"^/[^\x00\n]*$"


class Section(BaseModel):
    """Strict base: unknown keys are errors that list the valid ones."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = [key for key in data if key not in cls.model_fields]
            if unknown:
                valid = ", ".join(cls.model_fields)
                raise ValueError(f"unknown key {unknown[0]!r} (valid keys: {valid})")
        return data
