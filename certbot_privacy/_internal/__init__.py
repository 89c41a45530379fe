"""Everything of certbot-privacy that is not its public contract.

The contracts are the entry points (the ``privacy`` certbot plugin and the
``certbot-privacy`` command), the ``--privacy-*`` flags, the disclosure log's record schema
(``log/record-1.json``) and the command line with its exit codes. The modules below may
change in any release, as ``_internal`` does in certbot's own DNS plugins and in pip-audit.
The layers, in import order (``tests/unit/test_layers.py`` enforces it): ``rules`` (pure),
``log``, ``confdir``, ``adapter`` (the only one that touches certbot's insides) and
``manage``, ``audit`` (the command line).
"""
