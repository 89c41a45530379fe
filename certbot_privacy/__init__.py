"""certbot-privacy: a privacy-minimal mode for Certbot.

``certbot --privacy-minimal`` sends the CA only what issuance needs: a minimal User-Agent
on every request, a contact email only with the admin's informed consent, nothing to the
EFF without its own opt-in, and a local disclosure log of every request, audited with the
``certbot-privacy`` command. The layers (``rules``, ``log``, ``adapter``, ``audit``) are
described in ``docs/how-it-works.rst``.

Certbot imports the plugin on every run, privacy mode or not: importing this package
must stay cheap, so heavy imports are kept inside functions.
"""

__version__ = "0.1.0"
