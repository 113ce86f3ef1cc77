"""The server configuration a public demo relies on."""
import os
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def config():
    with open(os.path.join(ROOT, ".streamlit", "config.toml"), "rb") as handle:
        return tomllib.load(handle)


def test_visitors_never_see_tracebacks():
    assert config()["client"]["showErrorDetails"] in ("none", False)


def test_the_theme_follows_the_visitors_preference():
    """No forced light base: a browser that prefers dark gets the dark theme."""
    theme = config()["theme"]
    assert "base" not in theme and "backgroundColor" not in theme and "textColor" not in theme
    assert {"light", "dark"} <= set(theme)  # both variants are offered
