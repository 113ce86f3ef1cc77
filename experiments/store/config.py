"""Where the store lives and how large it may grow, from the environment or a Streamlit-style secret.

The URL, first found wins: an explicit one; ``NN_LAB_STORE_URL`` (any SQLAlchemy URL); a secrets mapping
in the form Streamlit's docs use for connections (``[connections.results] url = "postgresql+psycopg://..."``,
read by the caller and passed in: nothing here imports Streamlit); else the SQLite file ``results.sqlite``
in ``NN_LAB_DATA_DIR`` (default: ``.nn-lab`` in the project root, beside streamlit_app.py). The byte
budget is ``NN_LAB_STORE_MAX_BYTES`` (default 300 MB). A bad value is a ValueError naming the variable.
"""
import os

URL_VARIABLE = "NN_LAB_STORE_URL"
DATA_DIR_VARIABLE = "NN_LAB_DATA_DIR"
MAX_BYTES_VARIABLE = "NN_LAB_STORE_MAX_BYTES"
DEFAULT_MAX_BYTES = 300_000_000
DATA_DIR_NAME = ".nn-lab"
SQLITE_NAME = "results.sqlite"
SECRET_SECTION = ("connections", "results")  # st.secrets["connections"]["results"]["url"]


def project_root():
    """The folder holding streamlit_app.py (this repository), or None when the package is installed
    elsewhere (site-packages has no app beside it)."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return root if os.path.isfile(os.path.join(root, "streamlit_app.py")) else None


def data_dir(environ=None):
    """NN_LAB_DATA_DIR, else .nn-lab in the project root (or in the home folder for an installed package)."""
    environ = os.environ if environ is None else environ
    value = environ.get(DATA_DIR_VARIABLE)
    if value is not None:
        if not value.strip() or "\x00" in value:
            raise ValueError(f"environment variable {DATA_DIR_VARIABLE} must be a folder path; got {value!r}.")
        return os.path.abspath(os.path.expanduser(value))
    return os.path.join(project_root() or os.path.expanduser("~"), DATA_DIR_NAME)


def default_url(environ=None):
    """The SQLite file in the data folder, as a SQLAlchemy URL."""
    return "sqlite:///" + os.path.join(data_dir(environ), SQLITE_NAME)


def store_url(url=None, environ=None, secrets=None):
    """The URL to open: ``url`` if given, else NN_LAB_STORE_URL, else the secret, else the default file."""
    if url is not None:
        return _checked_url(url, "the store URL")
    environ = os.environ if environ is None else environ
    if environ.get(URL_VARIABLE) is not None:
        return _checked_url(environ[URL_VARIABLE], f"environment variable {URL_VARIABLE}")
    secret = secret_url(secrets)
    if secret is not None:
        return _checked_url(secret, "the secret [connections.results] url")
    return default_url(environ)


def secret_url(secrets):
    """``secrets["connections"]["results"]["url"]`` or None. ``secrets`` may be Streamlit's st.secrets,
    which raises when there is no secrets file at all: that counts as no secret."""
    if secrets is None:
        return None
    try:
        section = secrets
        for name in SECRET_SECTION:
            section = section.get(name) if hasattr(section, "get") else None
            if section is None:
                return None
        return section.get("url") if hasattr(section, "get") else None
    except Exception:  # noqa: BLE001 - st.secrets raises FileNotFoundError (or its own error) without a file
        return None


def _checked_url(value, what):
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} must be a database URL such as sqlite:///path/results.sqlite or "
                         f"postgresql+psycopg://user:password@host/db; got {value!r}.")
    return value.strip()


def max_bytes(environ=None):
    """NN_LAB_STORE_MAX_BYTES as a whole number of bytes > 0 (3e8 is allowed, as the app reads numbers),
    else DEFAULT_MAX_BYTES."""
    from ..numbers import echo, read_whole
    environ = os.environ if environ is None else environ
    raw = environ.get(MAX_BYTES_VARIABLE)
    if raw is None:
        return DEFAULT_MAX_BYTES
    value = read_whole(raw, f"environment variable {MAX_BYTES_VARIABLE}", " of bytes, such as 300000000 or 3e8")
    if value < 1:
        raise ValueError(f"environment variable {MAX_BYTES_VARIABLE} must be a whole number of bytes > 0; "
                         f"got {echo(raw)}.")
    return value
