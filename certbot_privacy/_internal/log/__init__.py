"""The disclosure log: the only owner of the record bytes.

The format (:mod:`.schema`), building records (:mod:`.records`) and classifying the
personal data in them (:mod:`.classify`), the hash chain (:mod:`.chain`), the locked
write-ahead writer (:mod:`.writer`, with the path checks of :mod:`.paths`), the evidence
it keeps outside the log (:mod:`.evidence`: heads and forward-secure seals, :mod:`.seal`,
in the state files of :mod:`.state`), the reader (:mod:`.reader`) and the syslog mirror
(:mod:`.syslog`).
"""

#: The log's file name in certbot's logs directory (``--logs-dir``).
DEFAULT_NAME = "disclosure.jsonl"

#: certbot's default logs directory (``--logs-dir``).
DEFAULT_LOGS_DIR = "/var/log/letsencrypt"

#: The log that ``certbot --privacy-minimal`` writes by default (certbot's logs directory).
DEFAULT_PATH = DEFAULT_LOGS_DIR + "/" + DEFAULT_NAME
