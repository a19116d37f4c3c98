# Shared fixtures for both suites (tests/ and e2e/): real PostgreSQL, Redis and plugins.
pytest_plugins = ["tests.fixtures"]
