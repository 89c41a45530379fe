"""Pure rules: no I/O, no certbot.

The User-Agent policy (:mod:`.useragent`), credential redaction (:mod:`.redaction`), the
private-key guard (:mod:`.keyguard`), what is known about each CA (:mod:`.cas`), the
consent texts and decisions (:mod:`.consent`, with the gettext catalogues in
``locale/``), URL forms (:mod:`.urls`) and the one escaping function for text shown to
people (:mod:`.escape`).
"""
