"""Helpers the tests share: realistic ACME bodies, whole logs, a local HTTP server, and the
certbot names compat relies on (not tests)."""
