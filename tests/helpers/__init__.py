"""Helpers the tests share: realistic ACME bodies, whole logs, a local HTTP server, and the
certbot names certbot_internals relies on (not tests)."""
