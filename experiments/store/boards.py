"""Class boards: a teacher's rules for one dataset, and the class's entries ranked by held-out accuracy.

A board fixes the data (dataset, options, data seed), the epochs and the replicate seeds, and caps the
parameters; a student chooses the rest (``CHOICES``) and posts a configuration under a nickname. Its
score is read from the comparison the server trained and stored, never from the visitor: the mean test
accuracy over the board's seeds, with the parameter count as the tie-break (then the earlier post). The
teacher's secret is returned once at creation and kept only as a SHA-256 hash (it is 192 random bits, so
no slow hash is needed); it is compared in constant time. Boards expire; expired ones are removed by
``ResultStore.prune``, and until then their comparisons are kept.
"""
import hashlib
import hmac
import json
import math
import secrets
import time
import unicodedata
from dataclasses import dataclass, replace

from sqlalchemy import delete, func, select, update

from . import schema

CHOICES = ("architecture", "activation", "optimizer", "lr", "batch_size", "l2")  # what a student picks
MAX_TEXT = 40  # characters of a title or a nickname
MAX_SEEDS = 10
MAX_ENTRIES = 500
DEFAULT_ENTRIES = 100
DEFAULT_HOURS, MAX_HOURS = 72.0, 24.0 * 30
SCORED_STATUSES = ("ok", "diverged")  # a diverged run scores its (poor) test accuracy; NaN counts as 0


class BoardRefused(ValueError):
    """A board action that the rules do not allow; the message says why, for the visitor."""


@dataclass(frozen=True)
class Rules:
    """What a board fixes. ``options`` holds the dataset's checked options (defaults written out)."""

    dataset: str
    options: dict
    data_seed: int
    epochs: int
    seeds: tuple
    max_params: int
    max_entries: int

    def specs(self, configuration):
        """The board's RunSpecs for ``configuration`` (a dict of CHOICES), one per seed, checked: what the
        class trains. BoardRefused if the configuration is not allowed (unknown field, too many parameters)."""
        from ..specs import RunSpec, check_spec
        if not isinstance(configuration, dict):
            raise BoardRefused(f"a configuration is a dict of {', '.join(CHOICES)}; got {configuration!r}.")
        unknown = sorted(set(configuration) - set(CHOICES))
        if unknown:
            raise BoardRefused(f"this board fixes {unknown[0]!r}; a configuration may set {', '.join(CHOICES)}.")
        try:
            specs = [check_spec(RunSpec(dataset=self.dataset, epochs=self.epochs, seed=seed, data_seed=self.data_seed,
                                        **self.options, **configuration)) for seed in self.seeds]
        except ValueError as error:
            raise BoardRefused(str(error)) from None
        params = self.n_params(specs[0])
        if params > self.max_params:
            raise BoardRefused(f"{specs[0].architecture} has {params} parameters on {self.dataset}; this board allows "
                               f"at most {self.max_params}.")
        return specs

    def n_params(self, spec):
        from ..datasets import DATASETS
        from ..specs import count_params, layers_as_run
        info = DATASETS[self.dataset]
        return count_params(layers_as_run(spec, info.n_features, info.n_classes))


@dataclass(frozen=True)
class Board:
    id: str
    title: str
    rules: Rules
    created: float  # Unix seconds
    expires: float
    closed: bool


@dataclass(frozen=True)
class Entry:
    rank: int
    nickname: str
    configuration: dict
    comparison_key: str
    test_acc: float  # mean over the board's seeds
    n_params: int
    created: float


def clean_text(value, what):
    """``value`` without control or format characters and with runs of spaces made one; BoardRefused if
    that leaves nothing or more than MAX_TEXT characters. (Escaping for HTML is the page's job.)"""
    if not isinstance(value, str):
        raise BoardRefused(f"the {what} must be text; got {type(value).__name__}.")
    if len(value) > 50 * MAX_TEXT:
        raise BoardRefused(f"the {what} is {len(value)} characters long; write at most {MAX_TEXT}.")
    text = " ".join("".join(ch for ch in value if not unicodedata.category(ch).startswith("C")).split())
    if not text:
        raise BoardRefused(f"the {what} is empty; write 1 to {MAX_TEXT} characters.")
    if len(text) > MAX_TEXT:
        raise BoardRefused(f"the {what} is {len(text)} characters long; write at most {MAX_TEXT}.")
    return text


def score(rules, configuration, runs):
    """(mean test accuracy over the board's seeds, parameters) of ``configuration``, read from ``runs`` (a
    stored comparison's runs table). BoardRefused if a seed's run is missing or did not finish."""
    specs = rules.specs(configuration)
    accuracies = [0.0 if math.isnan(value) else float(value)
                  for value in entry_runs(rules, configuration, runs, specs)["test_acc"]]
    return sum(accuracies) / len(accuracies), rules.n_params(specs[0])


def entry_runs(rules, configuration, runs, specs=None):
    """The rows of ``runs`` that are ``configuration``'s runs on this board, one per board seed in the board's
    order (what the score averages, what the board draws). BoardRefused if a seed's run is missing or did not
    finish."""
    import pandas as pd
    found = []
    for spec in rules.specs(configuration) if specs is None else specs:
        match = runs[_same_run(runs, spec)]
        if match.empty:
            raise BoardRefused(f"that comparison has no run of this configuration with seed {spec.seed}; train it "
                               f"with the board's seeds {list(rules.seeds)}.")
        if match["status"].iloc[0] not in SCORED_STATUSES:
            raise BoardRefused(f"seed {spec.seed} of this configuration ended {match['status'].iloc[0]!r}; train it "
                               "to the end.")
        found.append(match.iloc[:1])
    return pd.concat(found)


def postable(rules, runs):
    """[(configuration, mean test accuracy, parameters)] of the configurations in ``runs`` (a comparison's runs
    table) that this board would score, best first (then fewer parameters): what a student may post."""
    runs = runs[(runs["dataset"] == rules.dataset) & (runs["epochs"] == rules.epochs)]
    found = []
    for values in runs[list(CHOICES)].drop_duplicates().itertuples(index=False):
        configuration = {"architecture": str(values.architecture), "activation": str(values.activation),
                         "optimizer": str(values.optimizer), "lr": float(values.lr), "l2": float(values.l2),
                         "batch_size": None if values.batch_size == "full" else int(values.batch_size)}
        try:
            found.append((configuration, *score(rules, configuration, runs)))
        except BoardRefused:  # another data option or seed, over the cap, or not finished
            continue
    return sorted(found, key=lambda item: (-item[1], item[2]))


def _same_run(runs, spec):
    """Rows of ``runs`` trained as ``spec`` (its data options compared only where the dataset has them)."""
    batch = "full" if spec.batch_size is None else spec.batch_size
    mask = runs["batch_size"].map(lambda value: value == batch)
    for column in ("dataset", "architecture", "activation", "optimizer", "lr", "epochs", "l2", "seed", "data_seed",
                   "n_samples", "noise", "test_fraction"):
        value = getattr(spec, column)
        if value is not None:
            mask &= runs[column] == value
    return mask


def _digest(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _config_json(specs):
    """A configuration's canonical JSON: the CHOICES of its first checked spec."""
    from .keys import _spec_json
    fields = _spec_json(specs[0])
    return json.dumps({name: fields[name] for name in CHOICES}, sort_keys=True, separators=(",", ":"))


class Boards:
    """The class boards in a ResultStore's database (``store.boards``)."""

    def __init__(self, store):
        self._store, self._db = store, store._db

    def create(self, title, dataset, options=None, data_seed=0, epochs=200, seeds=(0, 1, 2), max_params=1000,
               hours=DEFAULT_HOURS, max_entries=DEFAULT_ENTRIES, limits=None):
        """A new board and its teacher secret (returned here only): (Board, secret). The rules must stay
        within ``limits`` (default: the demo's, Limits.from_env()), so that any allowed entry can be trained."""
        rules = _checked_rules(dataset, options, data_seed, epochs, seeds, max_params, max_entries, limits)
        title = clean_text(title, "title")
        if isinstance(hours, bool) or not isinstance(hours, (int, float)) or not 0 < hours <= MAX_HOURS:
            raise BoardRefused(f"'hours' must be a number of hours from 0 to {MAX_HOURS:g}; got {hours!r}.")
        now, secret = time.time(), secrets.token_urlsafe(24)
        board = Board(secrets.token_urlsafe(12), title, rules, now, now + hours * 3600.0, False)
        row = {"id": board.id, "title": title, "dataset": rules.dataset, "created": now, "expires": board.expires,
               "closed": False, "secret_hash": _digest(secret),
               "rules": json.dumps({"options": rules.options, "data_seed": rules.data_seed, "epochs": rules.epochs,
                                    "seeds": list(rules.seeds), "max_params": rules.max_params,
                                    "max_entries": rules.max_entries}, sort_keys=True)}
        self._db.run(lambda conn: conn.execute(schema.boards.insert().values(**row)), write=True)
        return board, secret

    def get(self, board_id):
        """The Board ``board_id``, or None if there is none or it has expired."""
        if not isinstance(board_id, str) or len(board_id) > 64:
            return None
        row = self._db.run(lambda conn: _board_row(conn, board_id))
        return None if row is None else _board(row)

    def post(self, board_id, nickname, session_id, key, configuration):
        """Add ``configuration`` as trained in stored comparison ``key`` under ``nickname``; its score comes
        from the stored runs. At most one post per configuration and session, at most max_entries per
        board. Returns the new Entry; BoardRefused says why not."""
        board = self.get(board_id)
        if board is None:
            raise BoardRefused("this board does not exist or has expired.")
        if board.closed:
            raise BoardRefused("the teacher has closed this board; no more entries.")
        nickname = clean_text(nickname, "nickname")
        if not isinstance(session_id, str) or not session_id or len(session_id) > 200:
            raise BoardRefused("a post needs the visitor's session id.")
        specs = board.rules.specs(configuration)
        runs = self._store.runs(key)
        if runs is None:
            raise BoardRefused("that comparison is not in the store; train it on this board first.")
        accuracy, params = score(board.rules, configuration, runs)
        config_json = _config_json(specs)
        row = {"board_id": board.id, "nickname": nickname, "session_hash": _digest(session_id),
               "config_hash": _digest(config_json), "configuration": config_json, "comparison_key": key,
               "test_acc": accuracy, "n_params": params, "created": time.time()}

        def add(conn):
            table = schema.board_entries
            if _board_row(conn, board.id, lock=True) is None:
                raise BoardRefused("this board does not exist or has expired.")
            count = conn.execute(select(func.count()).select_from(table)
                                 .where(table.c.board_id == board.id)).scalar_one()
            if count >= board.rules.max_entries:
                raise BoardRefused(f"the board is full ({count} entries).")
            repeat = conn.execute(select(table.c.id).where(table.c.board_id == board.id,
                                                           table.c.session_hash == row["session_hash"],
                                                           table.c.config_hash == row["config_hash"])).first()
            if repeat is not None:
                raise BoardRefused("you have already posted this configuration; change something and post again.")
            conn.execute(table.insert().values(**row))

        self._db.run(add, write=True)
        return next(entry for entry in self.ranking(board.id) if entry.created == row["created"]
                    and entry.nickname == nickname and entry.configuration == json.loads(config_json))

    def ranking(self, board_id):
        """The board's entries, best first: mean test accuracy, then fewer parameters, then the earlier post.
        Empty for an unknown or expired board."""
        table = schema.board_entries
        query = (select(table.c.nickname, table.c.configuration, table.c.comparison_key, table.c.test_acc,
                        table.c.n_params, table.c.created)
                 .where(table.c.board_id == board_id, table.c.board_id.in_(_live_boards(time.time())))
                 .order_by(table.c.test_acc.desc(), table.c.n_params, table.c.created, table.c.id))
        rows = self._db.run(lambda conn: conn.execute(query).all()) if isinstance(board_id, str) else []
        return [Entry(rank, row.nickname, json.loads(row.configuration), row.comparison_key, float(row.test_acc),
                      int(row.n_params), float(row.created)) for rank, row in enumerate(rows, start=1)]

    def close(self, board_id, secret):
        """No more posts (the ranking stays until the board expires)."""
        self._as_teacher(board_id, secret, lambda conn: conn.execute(
            update(schema.boards).where(schema.boards.c.id == board_id).values(closed=True)))

    def clear(self, board_id, secret):
        """Remove every entry; returns how many there were."""
        return self._as_teacher(board_id, secret, lambda conn: conn.execute(
            delete(schema.board_entries).where(schema.board_entries.c.board_id == board_id)).rowcount)

    def export(self, board_id, secret):
        """The ranking as CSV text (text cells made safe for spreadsheets)."""
        import pandas as pd

        from ..tables import to_csv_text
        self._as_teacher(board_id, secret, lambda conn: None)
        rows = [{"rank": entry.rank, "nickname": entry.nickname, "test_acc": entry.test_acc,
                 "n_params": entry.n_params, **entry.configuration,
                 "posted": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(entry.created)),
                 "comparison_key": entry.comparison_key} for entry in self.ranking(board_id)]
        columns = ["rank", "nickname", "test_acc", "n_params", *CHOICES, "posted", "comparison_key"]
        return to_csv_text(pd.DataFrame(rows, columns=columns))

    def _as_teacher(self, board_id, secret, action):
        def work(conn):
            row = _board_row(conn, board_id, lock=True) if isinstance(board_id, str) else None
            if row is None:
                raise BoardRefused("this board does not exist or has expired.")
            given = secret if isinstance(secret, str) else ""
            if not hmac.compare_digest(_digest(given), row.secret_hash):
                raise BoardRefused("the teacher secret does not match this board.")
            return action(conn)
        return self._db.run(work, write=True)

    def is_teacher(self, board_id, secret):
        """True if ``secret`` is the teacher's secret of the live board ``board_id`` (compared in constant time);
        False for any other secret, board or value. Reads only: what the page asks before it shows the
        teacher's buttons (each action checks the secret again)."""
        if not isinstance(board_id, str) or len(board_id) > 64 or not isinstance(secret, str) or not secret:
            return False
        row = self._db.run(lambda conn: _board_row(conn, board_id))
        return row is not None and hmac.compare_digest(_digest(secret), row.secret_hash)

    def prune(self):
        """Remove expired boards and their entries; returns how many boards."""
        return self._db.run(lambda conn: expire_boards(conn, time.time()), write=True)


def _checked_rules(dataset, options, data_seed, epochs, seeds, max_params, max_entries, limits):
    from nn.validation import check_int

    from ..datasets import DATASETS, check_options, load_dataset
    from ..limits import Limits, check_limits
    from ..specs import MAX_SEED, RunSpec, check_spec
    limits = Limits.from_env() if limits is None else limits
    try:
        if dataset not in DATASETS:
            raise BoardRefused(f"a board uses a built-in dataset, one of {list(DATASETS)}; got {dataset!r}.")
        if options is not None and not isinstance(options, dict):
            raise BoardRefused(f"'options' must be a dict such as {{'n_samples': 200}}; got {options!r}.")
        checked = check_options(dataset, **(options or {}))
        data_seed = check_int("data_seed", data_seed, minimum=0, maximum=MAX_SEED)
        epochs = check_int("epochs", epochs, minimum=1, maximum=limits.max_epochs)
        if isinstance(seeds, (str, bytes)) or not hasattr(seeds, "__iter__"):
            raise BoardRefused(f"'seeds' must be a list such as [0, 1, 2]; got {seeds!r}.")
        seeds = tuple(dict.fromkeys(check_int("seed", seed, minimum=0, maximum=MAX_SEED) for seed in seeds))
        if not 1 <= len(seeds) <= MAX_SEEDS:
            raise BoardRefused(f"a board has 1 to {MAX_SEEDS} seeds; got {len(seeds)}.")
        max_params = check_int("max_params", max_params, minimum=1)
        max_entries = check_int("max_entries", max_entries, minimum=1, maximum=MAX_ENTRIES)
        rules = Rules(dataset, {k: v for k, v in checked.items() if v is not None}, data_seed, epochs, seeds,
                      max_params, max_entries)
        info = DATASETS[dataset]
        smallest = f"[{info.n_features}, {info.n_classes}]"  # no hidden layer: the fewest parameters there are
        fewest = rules.n_params(RunSpec(dataset=dataset, architecture=smallest))
        if max_params < fewest:
            raise BoardRefused(f"no network on {dataset} has at most {max_params} "
                               f"parameter{'s' if max_params != 1 else ''}: the smallest, "
                               f"{smallest} without a hidden layer, has {fewest}. Allow at least {fewest}.")
        # the largest network the rules allow, trained on every seed, must fit the demo's caps
        spec = check_spec(RunSpec(dataset=dataset, epochs=epochs, data_seed=data_seed, **rules.options))
        data = load_dataset(dataset, **rules.options, seed=data_seed)
        check_limits([replace(spec, seed=seed) for seed in seeds], limits, {spec.data_key(): data},
                     work=max_params * len(data.y_train) * epochs * len(seeds))
    except BoardRefused:
        raise
    except ValueError as error:
        raise BoardRefused(str(error)) from None
    return rules


def _live_boards(now):
    return select(schema.boards.c.id).where(schema.boards.c.expires > now)


def _board_row(conn, board_id, lock=False):
    query = select(schema.boards).where(schema.boards.c.id == board_id, schema.boards.c.expires > time.time())
    return conn.execute(query.with_for_update() if lock else query).first()


def _board(row):
    rules = json.loads(row.rules)
    return Board(row.id, row.title, Rules(row.dataset, rules["options"], rules["data_seed"], rules["epochs"],
                                          tuple(rules["seeds"]), rules["max_params"], rules["max_entries"]),
                 float(row.created), float(row.expires), bool(row.closed))


def expire_boards(conn, now):
    """Delete the boards whose time is over, with their entries; how many boards."""
    expired = select(schema.boards.c.id).where(schema.boards.c.expires <= now)
    conn.execute(delete(schema.board_entries).where(schema.board_entries.c.board_id.in_(expired)))
    return conn.execute(delete(schema.boards).where(schema.boards.c.expires <= now)).rowcount


def kept_by_boards():
    """The comparison keys a board still shows (run after expire_boards: every board left is live)."""
    return select(schema.board_entries.c.comparison_key)
