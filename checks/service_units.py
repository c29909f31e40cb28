"""Judges of a service's systemd unit: started at boot and restarted (REL-13), confined (SEC-12).

Pure functions of ``checks/services.py``'s facts. A unit ``static`` or ``indirect``
has no ``[Install]`` of its own: it starts at boot only when something that starts
at boot pulls it in, so it passes only when a unit pulling it in (``WantedBy``,
``RequiredBy``, ``TriggeredBy``, ``UpheldBy``, ``BoundBy``) is enabled, or is a
target active now (``multi-user.target``: what the boot reached).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from golive.checks.services import ServiceFacts
from golive.errors import TargetError
from golive.evidence import Comparison, Verdict
from golive.inventory import Service

ENABLED = ("enabled", "enabled-runtime")
PULLED_IN = ("static", "indirect", "generated", "alias")
RESTARTS = ("on-failure", "always")
WORST_SHOWN = 5
_OVERALL = re.compile(r"Overall exposure level for \S+:\s*([0-9.]+)\s*(\S+)?")
_SETTING = re.compile(r"^\s*(\S)\s+(\S+)\s+(.*?)\s+([0-9]+\.[0-9])\s*$")


def _unit(found: ServiceFacts, index: int, service: Service) -> dict[str, str]:
    if not found.booted:
        raise TargetError(f"{found.host}: {service.unit} is declared but systemd is not PID 1 there ({found.pid1})")
    props = found.units.get(index) or {}
    if not props:
        raise TargetError(f"{found.host}: systemctl show {service.unit} printed nothing")
    return props


def judge_boot_and_restart(found: ServiceFacts, index: int, service: Service) -> Verdict:
    """REL-13: enabled at boot (or pulled in by an enabled unit), ``Restart=`` on-failure or
    always, and not stopped by its start limit."""
    props = _unit(found, index, service)
    unit = service.unit
    loaded = props.get("LoadState", "?")
    comparisons = [Comparison(f"{unit} load state", loaded, "is", "loaded", loaded == "loaded")]
    state = props.get("UnitFileState", "") or "?"
    pullers = found.pullers.get(index, [])
    by = [f"{name} ({enabled or 'unknown'})" for name, enabled, active in pullers
          if enabled in ENABLED or (name.endswith(".target") and active == "active")]  # fmt: skip
    if state in ENABLED:
        comparisons.append(Comparison(f"{unit} enabled at boot", state, "is", "enabled", True))
    else:
        pulled = state in PULLED_IN and bool(by)
        shown = f"{state}, pulled in by {', '.join(by)}" if pulled else state
        if state in PULLED_IN and not by:
            shown = f"{state}, pulled in by no enabled unit ({', '.join(n for n, _, _ in pullers) or 'none'})"
        comparisons.append(Comparison(f"{unit} enabled at boot", shown, "is", "enabled", pulled))
    restart = props.get("Restart", "?")
    comparisons.append(Comparison(f"{unit} Restart=", restart, "in", "/".join(RESTARTS), restart in RESTARTS))
    result = props.get("Result", "?")
    comparisons.append(Comparison(f"{unit} start limit", result, "!=", "start-limit-hit", result != "start-limit-hit"))
    return Verdict.from_comparisons(comparisons, f"unit checks of {found.host}/{service.name}")


@dataclass(frozen=True)
class Exposure:
    """``systemd-analyze security UNIT``: the overall score and each setting's share."""

    score: float
    level: str
    settings: list[tuple[str, str, float]]

    def worst(self, count: int = WORST_SHOWN) -> list[tuple[str, str, float]]:
        return sorted(self.settings, key=lambda s: -s[2])[:count]


def parse_security(text: str) -> Exposure | None:
    """The overall exposure and the unsafe settings (those with a share), or None if absent."""
    overall = _OVERALL.search(text)
    if overall is None:
        return None
    settings = []
    for line in text.splitlines():
        match = _SETTING.match(line)
        if match and match.group(1) not in ("✓", "→") and float(match.group(4)) > 0:
            settings.append((match.group(2), match.group(3), float(match.group(4))))
    return Exposure(float(overall.group(1)), overall.group(2) or "", settings)


def judge_confinement(found: ServiceFacts, index: int, service: Service) -> Verdict:
    """SEC-12: ``User=`` set and not root (or ``DynamicUser=yes``), the declared user if one
    is declared, and the exposure score at most ``exposure_max``, the worst settings named."""
    props = _unit(found, index, service)
    unit = service.unit
    user = props.get("User", "")
    dynamic = props.get("DynamicUser") == "yes"
    shown = f"{user or '(unset: root)'}{' (DynamicUser=yes)' if dynamic else ''}"
    not_root = dynamic or (bool(user) and user not in ("root", "0"))
    comparisons = [Comparison(f"{unit} User=", shown, "is", "not root", not_root)]
    if service.user is not None:
        comparisons.append(Comparison(f"{unit} User=", user or "(unset)", "==", service.user, user == service.user))
    output = found.security.get(index)
    exposure = parse_security(output.text) if output is not None else None
    if exposure is None:
        reason = output.text.strip()[-300:] if output is not None else "no output"
        raise TargetError(f"{found.host}: systemd-analyze security {unit} gave no exposure level: {reason}")
    worst = "; ".join(f"{name} ({share:.1f}: {text})" for name, text, share in exposure.worst())
    measured = f"{exposure.score:.1f} {exposure.level}".strip()
    if exposure.score > service.exposure_max and worst:
        measured += f"; worst settings: {worst}"
    comparisons.append(
        Comparison(f"{unit} exposure", measured, "<=", f"{service.exposure_max:g}",
                   exposure.score <= service.exposure_max)
    )  # fmt: skip
    return Verdict.from_comparisons(comparisons, f"confinement checks of {found.host}/{service.name}")
