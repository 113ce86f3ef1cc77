"""One database behind the store: the engine for a URL, and transactions that retry instead of failing.

SQLite is set up for several processes sharing one file: WAL (readers never wait for the writer), a busy
timeout, and writes that start with BEGIN IMMEDIATE, so a transaction takes the write lock before it reads
and two writers queue up instead of one failing with "database is locked" when it tries to upgrade.
A transaction that still fails on a lock (or, on PostgreSQL, on a serialization failure or deadlock) is
run again after a short, growing pause. Every other failure becomes ``StoreUnavailable``.
"""
import logging
import os
import random
import time

from .errors import StoreUnavailable, is_retryable, masked_url, plain_reason

log = logging.getLogger(__name__)

BUSY_TIMEOUT_SECONDS = 10.0  # SQLite waits this long for another process's write lock
RETRIES = 6  # a transaction that still meets a lock is run again this many times, pausing 0.05 s, 0.1 s, ...
CONNECT_TIMEOUT_SECONDS = 5  # a PostgreSQL server that does not answer is reported within this


class Database:
    """An engine for ``url`` and ``run(work, write)``: ``work(connection)`` inside one transaction."""

    def __init__(self, url):
        self.url = masked_url(url)
        try:
            self.engine = self._guard(lambda: _make_engine(url))
        except ImportError:  # the URL names a driver that is not installed
            log.debug("results store %s: no driver", self.url, exc_info=True)
            raise StoreUnavailable(self.url, _bad_url_reason(ImportError())) from None

    def run(self, work, write=False):
        """``work(connection)`` in one transaction (committed if it returns, rolled back if it raises), run
        again when it meets a lock; ``write=True`` takes SQLite's write lock at the start. Returns what
        ``work`` returns. A database failure is StoreUnavailable; ``work``'s own exceptions pass through."""
        for attempt in range(RETRIES + 1):
            try:
                return self._guard(lambda: self._once(work, write))
            except _Retry:
                if attempt < RETRIES:
                    time.sleep(0.05 * 2 ** attempt * (0.5 + random.random()))
        raise StoreUnavailable(self.url, plain_reason(Exception("database is locked")))

    def _once(self, work, write):
        from sqlalchemy.exc import DBAPIError
        try:
            with self.engine.connect() as conn:
                if write:
                    conn.execution_options(nn_lab_write=True)
                with conn.begin():
                    return work(conn)
        except DBAPIError as error:
            if is_retryable(error):
                log.debug("results store %s: retrying a transaction that met a lock", self.url)
                raise _Retry() from None
            raise

    def _guard(self, action):
        """``action()`` with database and OS failures turned into StoreUnavailable (logged with details)."""
        from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
        try:
            return action()
        except _Retry:
            raise
        except (ArgumentError, NoSuchModuleError) as error:
            log.debug("results store %s: bad URL", self.url, exc_info=True)
            raise StoreUnavailable(self.url, _bad_url_reason(error)) from None
        except (SQLAlchemyError, OSError) as error:
            log.debug("results store %s failed", self.url, exc_info=True)
            raise self.unavailable(error) from None

    def unavailable(self, error):
        return StoreUnavailable(self.url, plain_reason(error))

    def dispose(self):
        self.engine.dispose()


class _Retry(Exception):
    """A transaction met a lock and should run again."""


def _bad_url_reason(error):
    if isinstance(error, ImportError):
        return ("needs a database driver that is not installed (for PostgreSQL: pip install 'psycopg[binary]' "
                "and a URL starting postgresql+psycopg://)")
    return ("is not a database URL this app can use; write it like sqlite:////path/results.sqlite or "
            "postgresql+psycopg://user:password@host:5432/database")


def _make_engine(url):
    from sqlalchemy import create_engine, event
    from sqlalchemy.engine import make_url
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        path = parsed.database
        if path and path != ":memory:" and not path.startswith("file:"):
            folder = os.path.dirname(os.path.abspath(path))
            try:
                os.makedirs(folder, exist_ok=True)
            except OSError as error:
                raise OSError(error.errno, f"cannot create folder ({error.strerror})") from None
        engine = create_engine(parsed, connect_args={"timeout": BUSY_TIMEOUT_SECONDS, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    connect_args = {"connect_timeout": CONNECT_TIMEOUT_SECONDS} if backend == "postgresql" else {}
    return create_engine(parsed, pool_pre_ping=True, connect_args=connect_args)


def _sqlite_connect(dbapi_connection, _record):
    """Every new SQLite connection: SQLAlchemy (not the driver) begins transactions; WAL; a busy timeout."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")  # with WAL: a killed process loses nothing committed
    finally:
        cursor.close()


def _sqlite_begin(conn):
    """BEGIN IMMEDIATE for writes (the write lock first), a plain deferred BEGIN for reads."""
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("nn_lab_write") else "BEGIN")
