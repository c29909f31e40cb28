"""Credentials: names of environment variables, resolved once at load."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import field_validator

from golive.errors import InventoryError
from golive.inventory.section import ENV_NAME, Section


class Credential(Section):
    """Names of environment variables holding a secret; never the secret itself."""

    username_env: str | None = None
    password_env: str | None = None
    token_env: str | None = None

    @field_validator("username_env", "password_env", "token_env")
    @classmethod
    def _env_name(cls, value: str | None) -> str | None:
        if value is not None and not ENV_NAME.fullmatch(value):
            raise ValueError(f"expected an environment variable name, got {value!r}")
        return value


def resolve_credentials(
    credentials: dict[str, Credential], environ: Mapping[str, str], file: str
) -> dict[str, dict[str, str]]:
    resolved: dict[str, dict[str, str]] = {}
    for name, credential in credentials.items():
        fields: dict[str, str] = {}
        for field, env_name in credential.model_dump(exclude_none=True).items():
            if env_name not in environ:
                raise InventoryError(
                    file,
                    f"credentials.{name}.{field}",
                    f"environment variable {env_name} is not set; export it before the run",
                )
            fields[field.removesuffix("_env")] = environ[env_name]
        resolved[name] = fields
    return resolved
