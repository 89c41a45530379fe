"""The package's one exception tree (a module of its own, so that raising one imports nothing).

Every error the package raises on purpose is a :class:`CertbotPrivacyError`, and its
message is one sentence a person can act on: what is wrong and what to do. The kinds:

* :class:`UsageError`: options or arguments that cannot work (exit code 2, nothing sent);
* :class:`DisclosureLogError`: the disclosure log cannot be written or read;
* :class:`ConsentError`: a contact email that cannot be sent (no consent, not an address);
* :class:`InputError`: input from outside that is not what it should be (a log line that
  is not a record, a body that cannot be decoded);
* :class:`PrivateKeyError`: a record would contain a private key.

They are translated into certbot's errors and exit codes at one boundary in the certbot
adapter (:class:`certbot_privacy._internal.adapter.patching.Patch`), and into the
``certbot-privacy`` tool's exit codes in :mod:`certbot_privacy._internal.audit.cli`.
"""

#: Exit codes, shared by certbot's adapter and the ``certbot-privacy`` tool.
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


class CertbotPrivacyError(Exception):
    """The base of every error this package raises on purpose."""

    #: The exit code a command-line boundary turns this error into.
    exit_code = EXIT_FAILED


class UsageError(CertbotPrivacyError):
    """Options that cannot work together, or a path that cannot be used.

    Raised before anything is sent; reported in one sentence with exit code 2.
    """

    exit_code = EXIT_USAGE


class UntrustedError(UsageError):
    """A configuration directory or file that another user could have written (exit code 2).

    ``certbot-privacy status`` and ``switch`` refuse it before reading or writing anything.
    """


class DisclosureLogError(CertbotPrivacyError):
    """The disclosure log cannot be written or read; the message says where, why and the fix."""

    #: For a log damaged part way: how many of its lines were read before the damage.
    lines_read: "int | None" = None


class ConsentError(CertbotPrivacyError):
    """A contact email cannot be sent as asked."""


class ConsentRequiredError(ConsentError):
    """An email would be sent without consent, and nobody can be asked (non-interactive)."""


class ContactError(ConsentError, ValueError):
    """A contact email address that cannot be used (malformed, several, not an email)."""


class InputError(CertbotPrivacyError, ValueError):
    """Input from outside that is not what it should be."""


class LogFormatError(InputError):
    """A line of a disclosure log is not a record (not UTF-8, not JSON, not an object)."""


class RecordError(InputError):
    """A record cannot be built from what was given (a body that does not decode)."""


class PrivateKeyError(CertbotPrivacyError, ValueError):
    """A record would contain a private key; it is refused so that none reaches the log."""


class UserAgentError(UsageError, ValueError):
    """A User-Agent that cannot be sent (``--user-agent ""``)."""
