"""Managing certbot's configuration directory: ``certbot-privacy status`` and ``switch``.

Apart from :mod:`certbot_privacy._internal.audit`, which only reads disclosure logs back: these
commands read certbot's files (:mod:`certbot_privacy._internal.confdir`) and ``switch`` writes
them, and its notices, through the log writer. :mod:`.posture` decides (pure) what is
private and the fixes; :mod:`.status` and :mod:`.switch` are the two subcommands, which
the ``certbot-privacy`` command (:mod:`certbot_privacy._internal.audit.cli`) lists beside the
audit ones.
"""
