"""Helpers the unit tests share: realistic ACME bodies and whole logs (not tests)."""
