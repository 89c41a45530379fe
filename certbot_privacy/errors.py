"""The plugin's own exceptions (a module of its own, so that raising one imports nothing)."""


class UsageError(Exception):
    """Options that cannot work together, or a log path that cannot be used.

    Raised before anything is sent; the certbot adapter reports it in one sentence and
    exits with code 2.
    """
