"""The store's tables, its schema version, and the migrations that bring an older database up to date.

A new database gets every table of the current schema at once and is stamped with ``SCHEMA_VERSION``; an
older one runs ``MIGRATIONS`` from its version up, each step in the same transaction; a newer one is
refused (this version cannot know what the newer one's tables mean). The version lives in ``meta``.

History keeps one row per run and epoch, with the gradient norms as columns ``grad_norm_1`` ..
``grad_norm_12`` (``GRAD_NORM_SLOTS`` = nn's MAX_WEIGHT_LAYERS, the deepest network there can be; a
shallower run leaves the rest NULL). So a read is one SELECT straight into the wide table the app uses,
every norm is a real column SQL can filter on, and the row count stays runs x epochs. A row per layer
would multiply the rows (and every chart's read) by the depth; a JSON array could not be queried
portably and JSON has no NaN or infinity. A deeper network one day is a migration that adds columns.
"""
from sqlalchemy import (BigInteger, Boolean, Column, Double, ForeignKey, Index, Integer, LargeBinary, MetaData,
                        String, Table, Text, UniqueConstraint, select)

SCHEMA_VERSION = 2
GRAD_NORM_SLOTS = 12
KEY = String(64)

metadata = MetaData()

meta = Table("meta", metadata, Column("name", String(64), primary_key=True), Column("value", Text, nullable=False))

comparisons = Table(
    "comparisons", metadata,
    Column("key", KEY, primary_key=True),
    Column("settings", Text),  # JSON given by the caller (what the app needs to restore its sidebar)
    Column("created", Double, nullable=False),  # Unix seconds
    Column("last_used", Double, nullable=False, index=True),
    Column("bytes", BigInteger, nullable=False),
    Column("pinned", Boolean, nullable=False, default=False),
    Column("n_runs", Integer, nullable=False),
    Column("columns", Text, nullable=False),  # JSON {"runs": {column: dtype}, "history": {...}}
)


def _child(name, *columns):
    """A table of one comparison's rows: its key (deleted with the comparison) plus ``columns``."""
    return Table(name, metadata,
                 Column("key", KEY, ForeignKey("comparisons.key", ondelete="CASCADE"), primary_key=True), *columns)


def _id(name, kind=BigInteger):
    """A column that, with the key, identifies a row."""
    return Column(name, kind, primary_key=True, autoincrement=False)


# one row per run: the runs.csv columns (experiments.results.RUN_COLUMNS); batch_size NULL means full batch
runs = _child(
    "runs",
    _id("run_id"), Column("position", Integer, nullable=False),
    Column("dataset", String, nullable=False), Column("architecture", String, nullable=False),
    Column("layers", String, nullable=False), Column("activation", String, nullable=False),
    Column("optimizer", String, nullable=False), Column("lr", Double), Column("epochs", Integer),
    Column("batch_size", Integer), Column("l2", Double), Column("seed", BigInteger), Column("n_samples", BigInteger),
    Column("noise", Double), Column("test_fraction", Double), Column("data_seed", BigInteger),
    Column("status", String, nullable=False), Column("message", Text, nullable=False), Column("epochs_run", Integer),
    Column("train_loss", Double), Column("train_acc", Double), Column("test_loss", Double), Column("test_acc", Double),
    Column("best_test_acc", Double), Column("best_epoch", Integer), Column("n_params", BigInteger),
    Column("seconds", Double))

history = _child(
    "history",
    _id("run_id"), _id("epoch", Integer),
    Column("train_loss", Double), Column("train_acc", Double), Column("test_loss", Double), Column("test_acc", Double),
    *[Column(f"grad_norm_{layer}", Double) for layer in range(1, GRAD_NORM_SLOTS + 1)],
)

# the trained networks: rebuilt as nn.Network(layers, activation, seed, init, dtype) holding ``params``
networks = _child(
    "networks",
    _id("run_id"), Column("layers", String, nullable=False),
    Column("activation", String, nullable=False), Column("seed", BigInteger, nullable=False),
    Column("init", String, nullable=False), Column("dtype", String, nullable=False),
    Column("params", LargeBinary, nullable=False))  # flat parameters, little-endian, C order

snapshots = _child(
    "snapshots",
    _id("run_id"), _id("epoch", Integer),
    Column("dtype", String, nullable=False), Column("params", LargeBinary, nullable=False))

COMPARISON_TABLES = [comparisons, runs, history, networks, snapshots]  # schema version 1

boards = Table(
    "boards", metadata,
    Column("id", String(32), primary_key=True),
    Column("title", String, nullable=False),
    Column("dataset", String, nullable=False),
    Column("rules", Text, nullable=False),  # JSON: options, data_seed, epochs, seeds, max_params, max_entries
    Column("created", Double, nullable=False),
    Column("expires", Double, nullable=False, index=True),
    Column("closed", Boolean, nullable=False, default=False),
    Column("secret_hash", String(64), nullable=False),  # SHA-256 of the teacher's secret; the secret is not kept
)

board_entries = Table(
    "board_entries", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("board_id", String(32), ForeignKey("boards.id", ondelete="CASCADE"), nullable=False),
    Column("nickname", String, nullable=False),
    Column("session_hash", String(64), nullable=False),
    Column("config_hash", String(64), nullable=False),
    Column("configuration", Text, nullable=False),  # JSON of the fields a student chooses
    Column("comparison_key", KEY, nullable=False, index=True),
    Column("test_acc", Double, nullable=False),  # mean over the board's seeds
    Column("n_params", BigInteger, nullable=False),
    Column("created", Double, nullable=False),
    UniqueConstraint("board_id", "session_hash", "config_hash", name="one_post_per_configuration_and_session"),
    Index("board_entries_board", "board_id"),
)

BOARD_TABLES = [boards, board_entries]  # added by schema version 2


def _add_boards(conn):
    for table in BOARD_TABLES:
        table.create(conn, checkfirst=True)


# version v -> the step that brings a database at version v - 1 to v
MIGRATIONS = {2: _add_boards}


class NewerSchema(Exception):
    """The database was written by a newer version of this project."""

    def __init__(self, version):
        super().__init__(version)
        self.version = version


def ensure_schema(conn):
    """Create the tables of a new database, or migrate an older one, inside the caller's transaction.
    Returns the version found (0 for a new database). NewerSchema if the database is newer than this code."""
    from sqlalchemy import inspect
    if conn.dialect.name == "postgresql":  # two servers starting at once: one creates, the other waits
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(2025092501)")
    if not inspect(conn).has_table("meta"):
        metadata.create_all(conn)
        conn.execute(meta.insert(), [{"name": "schema_version", "value": str(SCHEMA_VERSION)}])
        return 0
    found = int(conn.execute(select(meta.c.value).where(meta.c.name == "schema_version")).scalar_one())
    if found > SCHEMA_VERSION:
        raise NewerSchema(found)
    for version in range(found + 1, SCHEMA_VERSION + 1):
        MIGRATIONS[version](conn)
    if found < SCHEMA_VERSION:
        conn.execute(meta.update().where(meta.c.name == "schema_version").values(value=str(SCHEMA_VERSION)))
    return found


def stamp_version_1(conn):
    """Make a database as schema version 1 left it (comparisons only, no boards): for the migration test."""
    for table in COMPARISON_TABLES:
        table.create(conn)
    meta.create(conn)
    conn.execute(meta.insert(), [{"name": "schema_version", "value": "1"}])
