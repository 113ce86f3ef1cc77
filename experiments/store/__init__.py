"""The experiment store: trained comparisons kept in a SQL database (SQLite by default, PostgreSQL by URL),
so that they outlive the server and any server sharing the database opens them at once; and class boards.

    from experiments.store import ResultStore, store_key
    store = ResultStore.default()                 # NN_LAB_STORE_URL, or .nn-lab/results.sqlite
    key = store_key(specs, snapshots=20)
    store.put(key, results, settings={...})
    results = store.get(key)                      # bit-identical to what was trained; None if not stored

Importing this package imports SQLAlchemy: ``import experiments`` does not, until a store is used.
"""
from .boards import Board, BoardRefused, Boards, Entry, Rules
from .errors import StoreUnavailable
from .keys import store_key
from .store import ComparisonInfo, ResultStore

__all__ = ["Board", "BoardRefused", "Boards", "ComparisonInfo", "Entry", "ResultStore", "Rules", "StoreUnavailable",
           "store_key"]
