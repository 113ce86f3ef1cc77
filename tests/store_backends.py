"""The databases the store's tests run against: a fresh SQLite file always, and PostgreSQL when
NN_LAB_TEST_POSTGRES_URL names a server (.ci/run starts one; locally: ``url=$(.ci/postgres start /tmp/pg)``).

Test modules import ``store_url`` (a fixture, parametrised over both) and ``fresh_url``.
"""
import os

import pytest

POSTGRES_VARIABLE = "NN_LAB_TEST_POSTGRES_URL"
BACKENDS = ["sqlite", "postgresql"]


def postgres_url():
    return os.environ.get(POSTGRES_VARIABLE) or None


def fresh_url(backend, tmp_path):
    """A URL of an empty store on ``backend``: a new SQLite file, or the test PostgreSQL database emptied."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'store' / 'results.sqlite'}"
    url = postgres_url()
    if url is None:
        pytest.skip(f"no PostgreSQL server for the store tests: set {POSTGRES_VARIABLE} to a SQLAlchemy URL "
                    "(.ci/run starts one with .ci/postgres)")
    from sqlalchemy import create_engine

    from experiments.store import schema
    engine = create_engine(url)
    try:
        schema.metadata.drop_all(engine)
    finally:
        engine.dispose()
    return url


@pytest.fixture(params=BACKENDS)
def store_url(request, tmp_path):
    """An empty store's URL, once on SQLite and once on PostgreSQL (skipped without a server)."""
    return fresh_url(request.param, tmp_path)


@pytest.fixture
def store(store_url):
    from experiments.store import ResultStore
    opened = ResultStore(store_url)
    yield opened
    opened.close()
