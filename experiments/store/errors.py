"""The store's one exception, and the table that turns a driver's failure into a plain sentence.

Whatever goes wrong below (a bad URL, a server that does not answer, a read-only folder, a full disk, a
schema from a newer version), the caller sees ``StoreUnavailable`` with one line that names the store's
URL (password masked) and says what to do; never a driver's own message, which may hold SQL or secrets.
The driver's text is only matched against ``REASONS`` to choose the sentence.
"""
import re

# (a pattern of the driver's message, lowercased, that selects the sentence), the first match wins
REASONS = [
    (r"unable to open database file|could not open|cannot create folder",
     "cannot open the database file (is its folder missing or read-only?)"),
    (r"readonly database|read-only file system|read-only database|permission denied",
     "is read-only: the store cannot write to it"),
    (r"database or disk is full|no space left|could not extend file|disk full|disk quota",
     "has no room left: the disk (or the database's size limit) is full"),
    (r"database (table )?is locked",
     "stayed locked by another process for too long; try again"),
    (r"file is not a database|disk image is malformed",
     "is not a results store database, or it is damaged"),
    (r"password authentication failed|authentication failed|no password supplied|role \".*\" does not exist",
     "refused the user name or password"),
    (r"database \".*\" does not exist",
     "has no such database (create it first, or check the URL's database name)"),
    (r"connection refused|could not connect|timeout expired|timed out|could not translate host|name or service not "
     r"known|no route to host|network is unreachable|connection to server",
     "cannot be reached (is the server running, and are the host and port right?)"),
    (r"server closed the connection|terminating connection|connection is closed|ssl syscall",
     "lost its connection to the server; try again"),
    (r"disk i/o error|input/output error",
     "failed to read or write its disk"),
]


class StoreUnavailable(ValueError):
    """The results store cannot be used; the message is one line naming its URL (password masked)."""

    def __init__(self, url, reason):
        super().__init__(f"results store {url}: {reason}.")
        self.url, self.reason = url, reason


def masked_url(url):
    """``url`` as text with its password replaced by ***, for messages and logs."""
    if url is None:
        return "(none)"
    try:
        from sqlalchemy.engine import make_url
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparseable URL is masked by hand below
        return re.sub(r"(://[^/@:]*:)[^@/]*@", r"\1***@", str(url))


def plain_reason(error):
    """The sentence of REASONS for a driver (or OS) error; a generic one naming only the error's kind."""
    original = getattr(error, "orig", None) or error
    text = " ".join(str(part) for part in (original, getattr(original, "strerror", ""))).lower()
    for pattern, reason in REASONS:
        if re.search(pattern, text):
            return reason
    return f"failed ({type(original).__name__}); see the server's log"


def is_retryable(error):
    """A failure that goes away if the transaction is run again: SQLite busy or locked past its timeout,
    PostgreSQL's serialization failure or deadlock (SQLSTATE 40001, 40P01)."""
    original = getattr(error, "orig", None)
    state = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    if state in ("40001", "40P01"):
        return True
    text = str(original).lower()
    return "database is locked" in text or "database table is locked" in text or "busy" in text
