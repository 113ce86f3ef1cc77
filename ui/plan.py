"""The plan: what Run would train for the settings in the sidebar, or why it cannot."""
from dataclasses import dataclass, field

from experiments.limits import GridTooLarge, check_limits, estimate_seconds
from experiments.settings import AppSettings
from experiments.specs import load_grid_data

from . import state


@dataclass
class Plan:
    """The settings, their specs and data and the time estimate, or the reason they cannot run."""

    settings: AppSettings
    specs: list = field(default_factory=list)
    datasets: dict = field(default_factory=dict)
    error: str | None = None
    seconds: float = 0.0


def make_plan(settings, catalog, field_errors=None):
    """Check ``settings`` against the caps; every action that trains goes through here or ``check_limits``."""
    if field_errors and any(field_errors.values()):
        return Plan(settings, error="Fix the input marked below first.")
    try:
        specs = settings.specs(catalog)
        datasets = load_grid_data(specs, catalog)
        check_limits(specs, state.limits(), datasets, snapshots=state.SNAPSHOTS)
    except GridTooLarge as error:
        return Plan(settings, error=f"Over this demo's limits. {error}")
    except ValueError as error:
        return Plan(settings, error=str(error))
    return Plan(settings, specs, datasets, seconds=estimate_seconds(specs, datasets))
