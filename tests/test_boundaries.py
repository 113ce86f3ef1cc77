"""Dependencies point one way: nn imports NumPy only; experiments never imports Streamlit."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def loaded_modules(statement):
    code = f"import sys; {statement}; print(' '.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def test_nn_imports_numpy_only():
    modules = loaded_modules("import nn")
    assert not {"pandas", "sklearn", "scipy", "streamlit", "plotly"} & modules


def test_experiments_does_not_load_streamlit():
    modules = loaded_modules("import experiments.runner, experiments.cli, experiments.results")
    assert "streamlit" not in modules
