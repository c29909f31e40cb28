"""CHG-05: a service's packages at the wanted versions, and its virtualenv consistent.

Packages: the host's package manager says what is installed and compares versions by
its own ordering (``dpkg --compare-versions``, rpm's ``vercmp``, ``apk version -t``),
on the host, in the batch (``checks/services.py``); here only the operator is applied.

Virtualenv: judged on the runner from the metadata headers read on the host (``Name``,
``Version``, ``Requires-Dist`` of every ``*.dist-info`` and ``*.egg-info``), with the
``packaging`` library's PEP 440/508 rules: each declared requirement is installed at a
matching version, and every distribution installed IN the venv has its own
requirements met (what ``pip check`` reports, without running pip or the venv's
interpreter: the service's user can change both, so running them would run the
target's code). A venv with ``include-system-site-packages = true`` also sees the
system's distributions; the venv's own come first, as on ``sys.path``.
"""

from __future__ import annotations

from packaging.markers import InvalidMarker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from golive import facts as fact_script
from golive.checks.services import Distribution, ServiceFacts, distributions, pyvenv_cfg
from golive.errors import TargetError
from golive.evidence import Comparison
from golive.inventory import Service

SATISFIED = {
    "<<": lambda c: c < 0, "<": lambda c: c < 0, "<=": lambda c: c <= 0, "=": lambda c: c == 0,
    "==": lambda c: c == 0, "!=": lambda c: c != 0, ">=": lambda c: c >= 0, ">>": lambda c: c > 0,
    ">": lambda c: c > 0,
}  # fmt: skip


def package_comparisons(found: ServiceFacts, service: Service) -> list[Comparison]:
    """Each declared package installed, at a version meeting its constraint."""
    if not service.packages:
        return []
    if found.manager in (None, "none"):
        raise TargetError(f"{found.host}: no package manager answered (dpkg, rpm, apk)")
    comparisons = []
    for package in service.packages:
        installed, order = found.packages.get(package.name, ("", None))
        wanted = package.version or "installed"
        if not installed:
            comparisons.append(Comparison(f"package {package.name} ({found.manager})", "not installed", "is",
                                          wanted, False))  # fmt: skip
            continue
        if package.operator is None:
            comparisons.append(Comparison(f"package {package.name} ({found.manager})", installed, "is", wanted, True))
            continue
        if order is None:
            raise TargetError(f"{found.host}: {found.manager} could not compare {installed} with {package.wanted}")
        comparisons.append(Comparison(f"package {package.name} ({found.manager})", installed, package.operator,
                                      package.wanted, SATISFIED[package.operator](order)))  # fmt: skip
    return comparisons


def requirement_lines(text: str) -> list[str]:
    """The requirement specifiers of a requirements file (options, comments, hashes dropped)."""
    found = []
    for line in text.replace("\\\n", " ").splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        found.append(line.split(" --", 1)[0].strip())
    return found


def _environment(config: dict[str, str]) -> dict[str, str]:
    version = config.get("version") or config.get("version_info") or ""
    parts = version.split(".")
    return {
        "python_version": ".".join(parts[:2]), "python_full_version": version, "implementation_name": "cpython",
        "platform_python_implementation": "CPython", "platform_system": "Linux", "sys_platform": "linux",
        "os_name": "posix", "extra": "",
    }  # fmt: skip


def _applies(requirement: Requirement, environment: dict[str, str]) -> bool:
    try:
        return requirement.marker is None or requirement.marker.evaluate(environment)
    except InvalidMarker:
        return True


def _meets(distribution: Distribution, requirement: Requirement) -> bool:
    try:
        return requirement.specifier.contains(Version(distribution.version), prereleases=True)
    except InvalidVersion:
        return not requirement.specifier


def venv_comparisons(found: ServiceFacts, index: int, service: Service) -> list[Comparison]:
    """The declared requirements installed in the venv, and the venv's own requirements met."""
    venv = service.venv
    if venv is None:
        return []
    output = found.venvs.get(index)
    if output is None or output.exit_status != 0:
        return [Comparison(f"venv {venv.path}", "no pyvenv.cfg", "is", "a virtualenv", False)]
    environment = _environment(pyvenv_cfg(output))
    installed: dict[str, Distribution] = {}
    for distribution in distributions(output):  # venv first: it shadows the system site
        installed.setdefault(canonicalize_name(distribution.name), distribution)
    comparisons = [Comparison(f"venv {venv.path}", f"{len(installed)} distribution(s)", "is", "a virtualenv", True)]
    if isinstance(venv.requirements, str):
        listed = found.requirements.get(index, fact_script.Output("", 1))
        if listed.exit_status != 0:
            comparisons.append(Comparison(f"requirements {venv.requirements}", "unreadable or absent", "is",
                                          "readable", False))  # fmt: skip
            declared: list[str] = []
        else:
            declared = requirement_lines(listed.text)
    else:
        declared = list(venv.requirements)
    for line in declared:
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            comparisons.append(Comparison(f"requirement {line!r}", "not PEP 508", "is", "valid", False))
            continue
        if not _applies(requirement, environment):
            continue
        wanted = installed.get(canonicalize_name(requirement.name))
        measured = f"{wanted.version} ({wanted.site})" if wanted else "not installed"
        ok = wanted is not None and _meets(wanted, requirement)
        comparisons.append(Comparison(f"venv {requirement.name}", measured, "matches", str(requirement), ok))
    for distribution in installed.values():
        if distribution.site != "venv":
            continue
        for text in distribution.requires:
            try:
                requirement = Requirement(text)
            except InvalidRequirement:
                continue
            if not _applies(requirement, environment):
                continue
            dependency = installed.get(canonicalize_name(requirement.name))
            if dependency is None or not _meets(dependency, requirement):
                measured = dependency.version if dependency else "not installed"
                subject = f"{distribution.name} {distribution.version} requires {requirement.name}"
                comparisons.append(Comparison(subject, measured, "matches", str(requirement), False))
    return comparisons
