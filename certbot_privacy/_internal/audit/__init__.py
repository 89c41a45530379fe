"""Reading disclosure logs back: what was disclosed, whether the log is intact, Art. 30.

The audit core is pure and streaming: every function here takes an iterable of log
lines (from :mod:`certbot_privacy._internal.audit.source`, which wraps the one log reader in
:mod:`certbot_privacy._internal.log.reader`) and consumes it once, holding only aggregates, so
memory does not grow with the size of the log. Nothing here prints or exits; the
``certbot-privacy`` command (:mod:`certbot_privacy._internal.audit.cli`) does.

* :mod:`.contract`  checks that a parsed line is a schema 1 record (the contract fields);
* :mod:`.filters`   the ``--since/--until/--recipient/--domain/--category`` selection;
* :mod:`.summarise` what personal data went to whom, when, and whether privacy mode was on;
* :mod:`.verify`    the hash chain, record by record, and what is wrong with the first bad line;
* :mod:`.art30`     a GDPR Article 30 record of processing activities;
* :mod:`.formats`   one module per output format, behind one interface;
* :mod:`.commands`  the subcommands, one module each, and :mod:`.cli`, the command.
"""
