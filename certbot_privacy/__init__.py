"""certbot-privacy: a privacy-minimal mode for Certbot.

``certbot --privacy-minimal`` sends the CA only what issuance needs: a minimal User-Agent
on every request, a contact email only with the admin's informed consent, nothing to the
EFF without its own opt-in, and a local disclosure log of what the certbot process
discloses, audited with the ``certbot-privacy`` command. The public contracts are the
``privacy`` plugin and ``certbot-privacy`` entry points, the ``--privacy-*`` flags, the
log's record schema and the command line; the code is in :mod:`certbot_privacy._internal`
(not an API), its layers described in ``docs/how-it-works.rst``.

Certbot imports the plugin on every run, privacy mode or not: importing this package
must stay cheap, so heavy imports are kept inside functions.
"""

__version__ = "0.1.0"
