"""Facts gathered from live hosts, and the pure judges that turn them into verdicts.

Installed as ``golive.checks``. A gatherer takes a ``RemoteHost`` and returns plain
dataclasses built from one (cached) remote command; a judge takes facts and
thresholds and returns a ``golive.evidence.Verdict``.
"""
