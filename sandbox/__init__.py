"""A small real fleet on one machine, for golive's self-tests and the demo.

Every piece is a real program from Debian's packages (dockerd, sshd, nginx,
Prometheus, ...) started under a private run directory and reached only over
loopback or inside network namespaces the sandbox created itself.
"""
