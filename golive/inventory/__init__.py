"""hosts.yaml → a validated, typed inventory, loaded once per session.

The inventory says what the fleet is and what "ready" means for it. Secrets never
live in it: a key ending in ``_env`` names an environment variable, whose value is
read here and registered for redaction before anything can print it.

One module per part of hosts.yaml (``hosts``, ``system``, ``containers``,
``services``, ``endpoints``, ``monitoring``, ``logs``, ``documents``, ``backups``,
``clusters``, ``credentials``, ``grading``; ``document`` for the top level), on the
strict base in ``section``; ``reading`` turns one file into a model with one-line
errors, ``consistency`` checks across entries, and ``loading`` builds the frozen
``Inventory`` value. Everything public is importable from ``golive.inventory``.
"""

from golive.inventory.backups import BackupLocation, BackupPolicy, RestoreTest
from golive.inventory.clusters import KubeCluster, KubeManifests
from golive.inventory.containers import ContainerExemption, ContainerPolicy
from golive.inventory.credentials import Credential
from golive.inventory.document import InventoryFile
from golive.inventory.documents import AcceptanceDocument, Claims, Document, Repo
from golive.inventory.endpoints import (
    Endpoint,
    HttpSettings,
    TcpDependency,
    has_userinfo,
    sends_in_clear,
    without_userinfo,
)
from golive.inventory.errors import UnknownHost
from golive.inventory.grading import RubricSection, Waiver
from golive.inventory.hosts import BACKEND_SCHEMES, Host, HostSettings
from golive.inventory.loading import Inventory, load_inventory, load_log_patterns, load_rubric, validate_log_patterns
from golive.inventory.logs import LogPattern, LogPatternFile, LogPolicy
from golive.inventory.monitoring import (
    GrafanaApi,
    GrafanaDashboard,
    HostMonitoring,
    LokiApi,
    MonitoringApi,
    MonitoringSettings,
    PrometheusApi,
)
from golive.inventory.section import CRITERION_ID, Duration, Section, Size
from golive.inventory.services import (
    ConfigFile,
    EnvFile,
    PackageWanted,
    ScheduledJob,
    Service,
    ServicePath,
    SystemdPolicy,
    Virtualenv,
)
from golive.inventory.system import DEFAULT_ALLOWED_PORTS, ClockPolicy, DiskPolicy, ListenerPolicy, SshdPolicy

__all__ = [
    "BACKEND_SCHEMES", "CRITERION_ID", "DEFAULT_ALLOWED_PORTS", "AcceptanceDocument", "BackupLocation",
    "BackupPolicy", "Claims", "ClockPolicy", "ConfigFile", "ContainerExemption", "ContainerPolicy", "Credential",
    "DiskPolicy", "Document", "Duration", "Endpoint", "EnvFile", "GrafanaApi", "GrafanaDashboard", "Host",
    "HostMonitoring", "HostSettings", "HttpSettings", "Inventory", "InventoryFile", "KubeCluster", "KubeManifests",
    "ListenerPolicy", "LogPattern", "LogPatternFile", "LogPolicy", "LokiApi", "MonitoringApi", "MonitoringSettings",
    "PackageWanted", "PrometheusApi", "Repo", "RestoreTest", "RubricSection", "ScheduledJob", "Section", "Service",
    "ServicePath", "Size", "SshdPolicy", "SystemdPolicy", "TcpDependency", "UnknownHost", "Virtualenv", "Waiver",
    "has_userinfo", "load_inventory", "load_log_patterns", "load_rubric", "sends_in_clear", "validate_log_patterns",
    "without_userinfo",
]  # fmt: skip
