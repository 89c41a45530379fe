"""The certbot adapter: the only code that imports certbot.

The plugin and its flags (:mod:`.plugin`), the run state (:mod:`.state`), the email gate
(:mod:`.email_gate`), every use of certbot's private names (:mod:`.certbot_internals`), the wire
choke point (:mod:`.wire`) and the recorder that writes the log (:mod:`.recorder`).
Certbot imports :mod:`.plugin` on every run: nothing here imports more until privacy
mode is on.
"""
