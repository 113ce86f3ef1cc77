"""ResultStore: trained comparisons kept in a SQL database, by key, within a byte budget.

Each comparison is a row of ``comparisons`` and its rows in ``runs``, ``history``, ``networks`` and
``snapshots`` (see schema.py), written in one transaction: a crash leaves all of it or none. Reads rebuild
the same Results, bit for bit, with the datasets made again (they are deterministic). The least recently
used comparisons go first when the store is over its budget; pinned ones and those on a class board that
has not expired stay. Every value from outside reaches SQL as a bound parameter; a key that is not one the
store made is simply not found.
"""
import json
import logging
import time
from dataclasses import dataclass

from sqlalchemy import bindparam, delete, func, select, update

from . import codec, config, schema
from .database import Database
from .errors import StoreUnavailable
from .keys import is_key

log = logging.getLogger(__name__)
CHILD_TABLES = [schema.runs, schema.history, schema.networks, schema.snapshots]
NETWORK_COLUMNS = ["run_id", "layers", "activation", "seed", "init", "dtype", "params"]
SNAPSHOT_COLUMNS = ["run_id", "epoch", "dtype", "params"]


@dataclass(frozen=True)
class ComparisonInfo:
    """One stored comparison, without its results: what ``list`` and ``info`` return."""

    key: str
    n_runs: int
    bytes: int
    created: float  # Unix seconds
    last_used: float
    pinned: bool
    settings: object  # what ``put`` was given (JSON), or None


class ResultStore:
    """Trained comparisons in the database at ``url`` (any SQLAlchemy URL), at most ``max_bytes`` of them.
    Opening creates or migrates the schema; a database that cannot be used raises StoreUnavailable."""

    def __init__(self, url, max_bytes=config.DEFAULT_MAX_BYTES):
        if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
            raise ValueError(f"'max_bytes' must be a whole number of bytes > 0; got {max_bytes!r}.")
        self.max_bytes = max_bytes
        self._db = Database(url)
        self.url = self._db.url  # password masked: safe to show
        try:
            self._db.run(self._open_schema, write=True)
        except BaseException:
            self._db.dispose()
            raise

    def _open_schema(self, conn):
        try:
            schema.ensure_schema(conn)
        except schema.NewerSchema as newer:
            raise StoreUnavailable(self.url, f"was written by a newer version of this app (schema {newer.version}; "
                                             f"this one reads schema {schema.SCHEMA_VERSION} and older): upgrade "
                                             "the app or give it another store") from None

    @classmethod
    def from_env(cls, environ=None, secrets=None, url=None):
        """The store configured by NN_LAB_STORE_URL, the secret ``[connections.results] url`` (pass
        ``st.secrets``), or the SQLite file in NN_LAB_DATA_DIR; budget NN_LAB_STORE_MAX_BYTES (see config)."""
        return cls(config.store_url(url, environ, secrets), max_bytes=config.max_bytes(environ))

    @classmethod
    def default(cls):
        """``from_env()`` with this process's environment."""
        return cls.from_env()

    @classmethod
    def open_or_none(cls, url=None, environ=None, secrets=None):
        """(store, "") or, when it cannot be opened or is badly configured, (None, a one-line message that
        says results are kept in memory only). Logs the message once as a warning."""
        try:
            return cls.from_env(environ, secrets, url), ""
        except ValueError as error:  # StoreUnavailable, or a bad environment variable
            message = f"{error} Results are kept in this server's memory only."
            log.warning("%s", message)
            return None, message

    def close(self):
        self._db.dispose()

    def __repr__(self):
        return f"ResultStore({self.url!r}, max_bytes={self.max_bytes})"

    # ----- comparisons -----
    def put(self, key, results, settings=None, pinned=False):
        """Keep ``results`` under ``key`` (``store_key(specs, snapshots)``) with ``settings`` (JSON) in one
        transaction, then prune to the budget. False, and nothing written, for results of data that is not
        built in or larger than the whole budget. A key already stored is only touched (and pinned): its
        results are the same, as a comparison is a pure function of its key."""
        _check_key(key)
        reason = codec.refusal(results)
        if reason is not None:
            log.info("results store: not storing %s: %s", key[:12], reason)
            return False
        try:
            settings_json = None if settings is None else json.dumps(settings, sort_keys=True, allow_nan=False)
        except (TypeError, ValueError):
            raise ValueError("'settings' must be JSON data (dicts, lists, strings, numbers); "
                             f"got {settings!r}.") from None
        rows, columns, nbytes = codec.encode(results)
        if nbytes > self.max_bytes:
            log.info("results store: %s is %d bytes, over the budget of %d", key[:12], nbytes, self.max_bytes)
            return False

        def write(conn):
            if conn.dialect.name == "postgresql":  # two servers storing one comparison: one at a time
                conn.execute(select(func.pg_advisory_xact_lock(bindparam("lock"))), {"lock": int(key[:15], 16)})
            table = schema.comparisons
            existing = conn.execute(select(table.c.pinned).where(table.c.key == key)).first()
            if existing is None:
                insert_comparison(conn, key, rows, columns, nbytes, settings_json, pinned)
                return
            values = {"last_used": time.time(), "pinned": bool(existing.pinned or pinned)}
            if settings_json is not None:
                values["settings"] = settings_json
            conn.execute(update(table).where(table.c.key == key).values(**values))

        self._db.run(write, write=True)
        self.prune(keep=key)
        return True

    def get(self, key, catalog=None):
        """The Results stored under ``key`` (marked as used), or None if there are none. Datasets are made
        again through ``catalog`` (an experiments.Catalog; default the built-ins)."""
        if not is_key(key):
            return None

        def read(conn):
            columns = _columns(conn, key)
            if columns is None:
                return None
            run_names, history_names = codec.read_columns(columns)
            return (columns, _rows(conn, schema.runs, key, run_names, "position"),
                    _rows(conn, schema.history, key, history_names, "run_id", "epoch"),
                    _rows(conn, schema.networks, key, NETWORK_COLUMNS, "run_id"),
                    _rows(conn, schema.snapshots, key, SNAPSHOT_COLUMNS, "run_id", "epoch"))

        stored = self._db.run(read)
        if stored is None:
            return None
        results = codec.decode(*stored, catalog=catalog)
        try:
            self.touch(key)
        except StoreUnavailable as error:  # the results were read; an unrecorded use costs nothing
            log.warning("%s", error)
        return results

    def runs(self, key):
        """The runs table alone of comparison ``key`` (quick: no history, networks or data), or None."""
        if not is_key(key):
            return None

        def read(conn):
            columns = _columns(conn, key)
            return None if columns is None else (columns, _rows(conn, schema.runs, key, codec.read_columns(columns)[0],
                                                                "position"))

        stored = self._db.run(read)
        return None if stored is None else codec.runs_frame(*stored)

    def contains(self, key):
        """True if comparison ``key`` is stored."""
        return is_key(key) and self.info(key) is not None

    __contains__ = contains

    def info(self, key):
        """ComparisonInfo of ``key``, or None."""
        if not is_key(key):
            return None
        found = self._db.run(lambda conn: conn.execute(_info_query().where(schema.comparisons.c.key == key)).first())
        return None if found is None else _info(found)

    def list(self):
        """Every stored comparison's ComparisonInfo, the most recently used first."""
        query = _info_query().order_by(schema.comparisons.c.last_used.desc())
        return [_info(row) for row in self._db.run(lambda conn: conn.execute(query).all())]

    def touch(self, key):
        """Mark ``key`` as just used (it is pruned last)."""
        self._set(key, last_used=time.time())

    def pin(self, key):
        """Never prune ``key`` (the app's default comparison)."""
        self._set(key, pinned=True)

    def unpin(self, key):
        self._set(key, pinned=False)

    def _set(self, key, **values):
        if is_key(key):
            table = schema.comparisons
            self._db.run(lambda conn: conn.execute(update(table).where(table.c.key == key).values(**values)),
                         write=True)

    def delete(self, key):
        """Remove comparison ``key``; True if it was stored."""
        if not is_key(key):
            return False
        return bool(self._db.run(lambda conn: _delete(conn, [key]), write=True))

    def size(self):
        """The bytes of every stored comparison (``put``'s estimate of its arrays and table cells)."""
        total = select(func.coalesce(func.sum(schema.comparisons.c.bytes), 0))
        return int(self._db.run(lambda conn: conn.execute(total).scalar_one()))

    def prune(self, keep=None):
        """Remove expired class boards, then the least recently used comparisons until the store is within
        its budget; pinned ones, those on a board that has not expired and ``keep`` (the one just stored)
        stay. Returns the keys removed."""
        from .boards import expire_boards, kept_by_boards
        budget = self.max_bytes

        def work(conn):
            expire_boards(conn, time.time())
            table = schema.comparisons
            total = conn.execute(select(func.coalesce(func.sum(table.c.bytes), 0))).scalar_one()
            if total <= budget:
                return []
            candidates = conn.execute(select(table.c.key, table.c.bytes)
                                      .where(~table.c.pinned, table.c.key.not_in(kept_by_boards()),
                                             table.c.key != (keep or ""))
                                      .order_by(table.c.last_used, table.c.key)).all()
            removed = []
            for key, nbytes in candidates:
                if total <= budget:
                    break
                removed.append(key)
                total -= nbytes
            _delete(conn, removed)
            return removed

        removed = self._db.run(work, write=True)
        if removed:
            log.info("results store %s: pruned %d comparisons", self.url, len(removed))
        return removed

    @property
    def boards(self):
        """The class boards kept in this store's database (experiments.store.boards.Boards)."""
        from .boards import Boards
        return Boards(self)


def insert_comparison(conn, key, rows, columns, nbytes, settings_json=None, pinned=False):
    """Write a new comparison: its row and its rows in every child table (``codec.encode``'s output)."""
    now = time.time()
    conn.execute(schema.comparisons.insert().values(key=key, settings=settings_json, created=now, last_used=now,
                                                    bytes=nbytes, pinned=bool(pinned), n_runs=len(rows["runs"]),
                                                    columns=columns))
    for child in CHILD_TABLES:
        if rows[child.name]:
            conn.execute(child.insert(), [{"key": key, **row} for row in rows[child.name]])


def _check_key(key):
    if not is_key(key):
        raise ValueError(f"'key' must be a store key (64 hex digits from store_key(specs, snapshots)); got {key!r}.")


def _columns(conn, key):
    """The stored column order and dtypes of comparison ``key``, or None if it is not stored."""
    table = schema.comparisons
    return conn.execute(select(table.c.columns).where(table.c.key == key)).scalar_one_or_none()


def _rows(conn, table, key, names, *order):
    query = select(*[table.c[name] for name in names]).where(table.c.key == key)
    return conn.execute(query.order_by(*[table.c[name] for name in order])).all()


def _info_query():
    table = schema.comparisons
    return select(table.c.key, table.c.n_runs, table.c.bytes, table.c.created, table.c.last_used, table.c.pinned,
                  table.c.settings)


def _info(row):
    return ComparisonInfo(row.key, int(row.n_runs), int(row.bytes), float(row.created), float(row.last_used),
                          bool(row.pinned), None if row.settings is None else json.loads(row.settings))


def _delete(conn, keys):
    """Delete comparisons ``keys`` and their rows; how many comparisons there were."""
    if not keys:
        return 0
    for child in CHILD_TABLES:
        conn.execute(delete(child).where(child.c.key.in_(keys)))
    return conn.execute(delete(schema.comparisons).where(schema.comparisons.c.key.in_(keys))).rowcount
