"""Root conftest: golive's plugin itself is loaded through its pytest11 entry point.

Nothing is defined here on purpose, so this repo's suite runs exactly as an
installed golive runs in any other infra repo.
"""
