"""Results to table rows and back, exactly: the runs and history tables with their dtypes, every network's
parameters to the byte, the snapshots; the datasets are made again from each run's data options.

Pure functions of plain values (no database here). A value goes into SQL as a Python int, float (NaN
and infinity kept: SQLite stores NaN as NULL, which reads back as NaN) or str; arrays as little-endian
bytes with their dtype. The dtypes of the two tables are kept with the comparison, so a column of whole
numbers that had a NaN (a float column) reads back as floats, and one without as int64.
"""
import json

import numpy as np

from . import schema

FULL_BATCH = "full"


def refusal(results):
    """Why ``results`` cannot be stored (a sentence), or None if it can. Only results of built-in
    datasets are kept: a visitor's own data, and anything trained on it, never reach the store."""
    from ..datasets import DATASETS
    from ..results import RUN_COLUMNS, Results
    if not isinstance(results, Results):
        return f"'results' must be experiments.Results; got {type(results).__name__}."
    missing = [column for column in RUN_COLUMNS if column not in results.runs.columns]
    if missing or results.runs.empty:
        return f"the runs table is empty or lacks {', '.join(missing[:3])}."
    if (results.runs["status"] == "stopped").any():
        return "a run was stopped: these are not the whole comparison its key names."
    own = sorted(set(results.runs["dataset"].astype(str)) - set(DATASETS))
    if own:
        return f"it was trained on data that is not built in ({own[0]!r}); a visitor's own data is never stored."
    if len(results.grad_norm_columns) > schema.GRAD_NORM_SLOTS:
        return f"its networks have more than {schema.GRAD_NORM_SLOTS} weight layers."
    if any(net.n_models is not None for net in results.networks.values()):
        return "it holds a stack of networks; store each network alone (Network.unstack)."
    return None


# ----- writing -----
def encode(results):
    """{table name: [row dicts without the key]}, the dtypes (JSON text) and an estimate of the bytes."""
    from ..results import RUN_COLUMNS
    runs = results.runs[RUN_COLUMNS]
    history = results.history
    grad_columns = results.grad_norm_columns
    kinds = [_KINDS.get(column) or _KINDS.setdefault(column, _kind(column)) for column in RUN_COLUMNS]
    run_rows = [{"position": position, **{column: _sql_value(kind, value)
                                          for column, kind, value in zip(RUN_COLUMNS, kinds, row)}}
                for position, row in enumerate(runs.itertuples(index=False, name=None))]
    history_columns = ["run_id", "epoch", "train_loss", "train_acc", "test_loss", "test_acc", *grad_columns]
    values = [_column_values(history[column]) for column in history_columns]
    history_rows = [dict(zip(history_columns, row)) for row in zip(*values)]
    network_rows = [{"run_id": int(run_id), "layers": json.dumps([int(size) for size in net.layer_sizes]),
                     "activation": str(net.activation), "seed": int(net.seed), "init": str(net.init),
                     "dtype": np.dtype(net.dtype).name, "params": _to_bytes(net.flat_params)}
                    for run_id, net in results.networks.items()]
    snapshot_rows = [{"run_id": int(run_id), "epoch": int(epoch), "dtype": np.asarray(params).dtype.name,
                      "params": _to_bytes(params)}
                     for run_id, saved in results.snapshots.items() for epoch, params in saved]
    dtypes = {"runs": [[column, str(runs[column].dtype)] for column in RUN_COLUMNS],  # pairs: in column order
              "history": [[column, str(history[column].dtype)] for column in history_columns]}
    nbytes = (8 * runs.size + sum(len(str(text)) for text in runs["message"])
              + 8 * len(history_rows) * len(history_columns)
              + sum(len(row["params"]) for row in network_rows + snapshot_rows))
    rows = {"runs": run_rows, "history": history_rows, "networks": network_rows, "snapshots": snapshot_rows}
    return rows, json.dumps(dtypes, sort_keys=True), int(nbytes)


_KINDS = {}  # runs column -> the Python type its SQL column takes ("batch" for batch_size)


def _kind(column):
    return "batch" if column == "batch_size" else schema.runs.c[column].type.python_type


def _sql_value(kind, value):
    """One cell as SQL takes it: ``kind`` is the Python type of its column in schema.runs."""
    if kind == "batch":
        return None if value == FULL_BATCH else int(value)
    if kind is str:
        return str(value)
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None if kind is int else float("nan")
    return kind(value)


def _column_values(series):
    """A column as a list of Python ints (int columns) or floats (NaN kept)."""
    array = series.to_numpy()
    return array.tolist() if array.dtype.kind in "iu" else array.astype(float).tolist()


def _to_bytes(array):
    array = np.asarray(array)
    return np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<")).tobytes()


def _from_bytes(data, dtype):
    dtype = np.dtype(dtype)
    return np.frombuffer(data, dtype=dtype.newbyteorder("<")).astype(dtype)  # a copy, native byte order


# ----- reading -----
def decode(columns, run_rows, history_rows, network_rows, snapshot_rows, catalog=None):
    """Results from the rows ``encode`` made (each a sequence in the table's column order as selected
    by ``read_columns``), with each run's dataset made again through ``catalog``."""
    from ..results import Results
    dtypes = _dtypes(columns)
    runs = _frame(run_rows, dtypes["runs"])
    history = _frame(history_rows, dtypes["history"])
    networks = {}
    for run_id, layers, activation, seed, init, dtype, params in network_rows:
        networks[run_id] = _network(json.loads(layers), activation, seed, init, dtype, params)
    snapshots = {}
    for run_id, epoch, dtype, params in snapshot_rows:
        snapshots.setdefault(run_id, []).append((epoch, _from_bytes(params, dtype)))
    return Results(runs, history, networks, _datasets(runs, catalog), snapshots)


def read_columns(dtypes_json):
    """The column names to select from the runs and history tables, in the order ``decode`` reads them."""
    dtypes = _dtypes(dtypes_json)
    return list(dtypes["runs"]), list(dtypes["history"])


def _dtypes(columns):
    """{"runs": {column: dtype}, "history": {...}} in column order, from the JSON ``encode`` wrote."""
    return {table: dict(pairs) for table, pairs in json.loads(columns).items()}


def _frame(rows, dtypes):
    import pandas as pd
    names = list(dtypes)
    values = list(zip(*rows)) if rows else [() for _ in names]
    data = {}
    for name, column in zip(names, values):
        dtype = dtypes[name]
        if name == "batch_size":
            data[name] = pd.Series([FULL_BATCH if value is None else value for value in column], dtype=object)
        elif dtype == "object":
            data[name] = pd.Series(list(column), dtype=object)
        elif dtype.startswith("float"):
            data[name] = np.array([np.nan if value is None else value for value in column], dtype=dtype)
        else:
            data[name] = np.array(column, dtype=dtype)
    return pd.DataFrame(data, columns=names)


def _network(layers, activation, seed, init, dtype, params):
    """The network stored as its flat parameters (``nn.Network.from_flat``: no initialisation drawn again)."""
    import nn
    try:
        return nn.Network.from_flat(layers, _from_bytes(params, dtype), activation=activation, seed=seed, init=init,
                                    dtype=dtype)
    except ValueError as error:
        raise ValueError(f"a stored network {layers} does not fit its parameters ({error})") from None


def _datasets(runs, catalog):
    """run_id -> Dataset, each distinct data split made once (runs that share it share the object)."""
    from ..datasets import DATASETS, as_catalog
    catalog, made, datasets = as_catalog(catalog), {}, {}
    for row in runs.itertuples():
        info = DATASETS[row.dataset]
        options = (int(row.n_samples) if info.n_samples is not None else None,
                   float(row.noise) if info.noise is not None else None,
                   float(row.test_fraction) if info.test_fraction is not None else None)
        key = (row.dataset, *options, int(row.data_seed))
        if key not in made:
            made[key] = catalog.load(row.dataset, *options, seed=int(row.data_seed))
        datasets[row.run_id] = made[key]
    return datasets


def runs_frame(columns, run_rows):
    """The runs table alone, from the rows of ``runs`` (selected as ``read_columns`` says)."""
    return _frame(run_rows, _dtypes(columns)["runs"])
