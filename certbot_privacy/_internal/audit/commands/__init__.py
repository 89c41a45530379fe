"""The subcommands of ``certbot-privacy``, one module each.

Each module has ``NAME``, ``HELP`` (one line for the command list), ``DESCRIPTION``,
``READS_LOGS`` (whether it takes LOG arguments, checked before any output),
``add_arguments(parser)`` and ``run(args, parser) -> (exit code, output)``. Commands print
nothing: :mod:`certbot_privacy._internal.audit.cli` parses, prints and exits.
"""
