"""The containers of a host's Docker engine: which must run, which are ignored or excused."""

from __future__ import annotations

from pydantic import Field, field_validator

from golive.inventory.section import CRITERION_ID, Section, Size


class ContainerExemption(Section):
    """A container excused from some container criteria, for a stated reason."""

    container: str
    criteria: tuple[str, ...] = Field(min_length=1)
    reason: str = Field(min_length=1)

    @field_validator("criteria")
    @classmethod
    def _criteria(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for criterion in value:
            if not CRITERION_ID.fullmatch(criterion):
                raise ValueError(f"expected criterion IDs like REL-03, got {criterion!r}")
        return value


class ContainerPolicy(Section):
    """AVL-02, REL-01..07, REL-10, REL-11: the containers of the host's Docker engine.

    ``expected`` names containers that must run; ``compose_projects`` names compose
    projects whose containers must all run; ``ignore`` (globs of names) are never
    judged; ``exempt`` excuses one container from listed criteria with a reason.
    """

    expected: tuple[str, ...] = ()
    compose_projects: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exempt: tuple[ContainerExemption, ...] = ()
    restarts_per_day: float = Field(3, ge=0)
    restart_policies: tuple[str, ...] = ("unless-stopped", "always", "on-failure")
    build_cache_max: Size = 10**9
    docker_socket_allow: tuple[str, ...] = ()
    """SEC-10: containers (by name) allowed to mount the docker socket (a proxy reading labels, say)."""

    def exemptions(self, criterion: str) -> dict[str, str]:
        """Container name → reason, for the containers exempt from ``criterion``."""
        return {e.container: e.reason for e in self.exempt if criterion in e.criteria}
