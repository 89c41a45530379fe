"""Certbot's configuration directory, read (and our privacy marks written) without certbot.

Certbot keeps its state in files whose formats are stable across versions (checked on
2.1.0 and 5.8.0): ``accounts/<server>/<id>/{regr.json,meta.json}`` (JSON),
``renewal/<name>.conf`` (configobj) and ``cli.ini``. :mod:`.reader` reads them into plain
facts (no certbot import: the audit tool runs offline and imports nothing private);
:mod:`.marks` owns where privacy mode is kept for a lineage (``privacy_minimal = True``
in its renewal conf) and for an account (our own ``certbot-privacy.json`` beside
certbot's account files), and writes both.
"""

#: The file of ours, in an account's directory, that says the account is private.
ACCOUNT_MARK = "certbot-privacy.json"

#: The renewal conf option (in ``[renewalparams]``) that says a lineage is private.
LINEAGE_OPTION = "privacy_minimal"
