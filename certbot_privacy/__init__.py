"""certbot-privacy: a privacy-minimal mode for Certbot.

``certbot --privacy-minimal`` (or ``privacy-minimal = true`` in ``cli.ini``) makes
Certbot send the certificate authority only what issuance needs:

* every HTTP request the certbot process makes with ``requests`` (ACME, ARI, OCSP, the
  EFF, and DNS plugins that use ``requests``) carries the minimal User-Agent
  ``CertbotACMEClient/<certbot version> python-requests/<requests version>``, with
  nothing about the host, the plugins, the command or its flags;
  a User-Agent given with ``--user-agent`` still wins, ``--user-agent-comment`` is dropped;
* no email is passed to the EFF unless ``--eff-email`` is given, and no EFF question
  is asked;
* lineages obtained in privacy mode stay private when a plain ``certbot renew`` (the
  distribution's timer) renews them.

The plugin is installed as ``privacy`` in the ``certbot.plugins`` entry point group. It
is listed by ``certbot plugins`` so that admins can see it is installed, and it is
neither an authenticator nor an installer, so it is never offered in those menus.

Importing this package must stay cheap: certbot imports every installed plugin on every
run, privacy mode or not. Keep heavy imports inside functions.
"""

__version__ = "0.1.0"
