"""Dependencies point one way: nn imports NumPy only; experiments never imports Streamlit."""
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def loaded_modules(statement):
    code = f"import sys; {statement}; print(' '.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(done.stdout.split())


@pytest.mark.slow
def test_nn_imports_numpy_only():
    modules = loaded_modules("import nn")
    assert not {"pandas", "sklearn", "scipy", "streamlit", "plotly"} & modules


@pytest.mark.slow
def test_the_grids_the_workers_compute_need_numpy_only():
    """The training workers call experiments.grids: it loads neither pandas nor Plotly nor Streamlit."""
    modules = loaded_modules("import experiments.grids")
    assert "numpy" in modules and not {"pandas", "sklearn", "scipy", "streamlit", "plotly"} & modules


@pytest.mark.slow
def test_experiments_does_not_load_streamlit():
    modules = loaded_modules("import experiments.runner, experiments.cli, experiments.results")
    assert "streamlit" not in modules


@pytest.mark.slow
def test_the_public_api_imports_lazily():
    """A notebook user writes one import line; nothing heavy loads until a name is used."""
    modules = loaded_modules("import experiments")
    assert not {"pandas", "sklearn", "plotly", "streamlit"} & modules
    modules = loaded_modules("from experiments import expand_grid, run_grid, read_results, load_dataset, RunSpec")
    assert "streamlit" not in modules and "plotly" not in modules


def test_the_public_api_works_from_a_notebook():
    from experiments import RunSpec, expand_grid, load_dataset, read_results, run_grid  # noqa: F401
    specs = expand_grid(datasets=["xor4"], architectures=["[2, 4, 2]"], epochs=5)
    assert isinstance(specs[0], RunSpec) and len(run_grid(specs).runs) == 1


@pytest.mark.slow
def test_the_command_line_starts_without_heavy_imports():
    """`python -m experiments datasets` and `run --help` answer at once: no scikit-learn, pandas or Plotly."""
    heavy = {"sklearn", "pandas", "plotly", "scipy", "streamlit"}
    assert not heavy & loaded_modules("import experiments.cli")
    listing = "import io, experiments.cli as cli; assert cli.main(['datasets'], io.StringIO()) == 0"
    assert not heavy & loaded_modules(listing)
    assert not {"pandas", "sklearn", "plotly"} & loaded_modules("import experiments.runner")
