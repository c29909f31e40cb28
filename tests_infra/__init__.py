"""golive's own criteria; installed with golive as ``golive.tests_infra`` (see golive.shipped)."""
