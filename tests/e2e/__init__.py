"""End-to-end tests: real certbot subprocesses against a real Pebble, behind a recording proxy."""
