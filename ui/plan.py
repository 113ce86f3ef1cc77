"""The plan: what Run would train for the settings in the sidebar, or why it cannot. Made once per distinct
settings in a session (every rerun asks; most reruns change nothing the plan depends on)."""
from dataclasses import dataclass, field
from functools import cached_property

from experiments.costs import estimate_seconds
from experiments.specs import GridTooLarge, comparison_key, load_grid_data
from experiments.store.keys import store_key

from . import state

PLAN_CACHE_ENTRIES = 4  # per session: the settings now, and the few just before (an undo, a lesson)


@dataclass
class Plan:
    """The settings, their specs and data and the time estimate, or the reason they cannot run; ``key`` names
    the comparison in the pool, ``estimates`` are its lockstep groups' seconds (for the wait before Run)."""

    settings: object
    specs: list = field(default_factory=list)
    datasets: dict = field(default_factory=dict)
    error: str | None = None
    seconds: float = 0.0
    key: tuple = ()
    estimates: list = field(default_factory=list)
    private: bool = False  # on the visitor's own data: never shared, never from the cache

    @cached_property
    def stored_name(self):
        """The experiment store's name of this comparison (None if it cannot run): made once per plan, which
        every rerun asks for (the address bar, a results link), not hashed again on each."""
        return store_key(self.specs, state.SNAPSHOTS) if self.specs and not self.error else None

    def wait_seconds(self):
        """Seconds from a Run pressed now until the results, with the pool's queue as it is now."""
        return state.pool().estimate_wait(self.key, state.SNAPSHOTS, self.estimates, self.private)


def make_plan(settings, catalog, field_errors=None):
    """Check ``settings`` against the caps; every action that trains goes through here or ``check_limits``.
    The number of runs is counted from the choices before any spec is made, so a huge choice is refused at
    once; the plan of settings already seen in this session is not made again."""
    if field_errors and any(field_errors.values()):
        return Plan(settings, error="Fix the input marked below first.")
    caps = state.limits()
    key = (repr(settings), tuple(sorted((name, id(data)) for name, data in catalog.own.items())), caps)
    plans = state.session_cache("plans")
    if key in plans:
        plans[key] = plans.pop(key)  # the most recent last
        return plans[key]
    plan = _make(settings, catalog, caps)
    plans[key] = plan
    while len(plans) > PLAN_CACHE_ENTRIES:
        plans.pop(next(iter(plans)))
    return plan


def _make(settings, catalog, caps):
    from experiments.limits import check_limits
    try:
        specs = settings.specs(catalog, max_runs=caps.max_runs)
        datasets = load_grid_data(specs, catalog)
        check_limits(specs, caps, datasets, snapshots=state.SNAPSHOTS)
    except GridTooLarge as error:
        return Plan(settings, error=f"Over this demo's limits. {error}")
    except ValueError as error:
        return Plan(settings, error=str(error))
    from experiments.pool.timing import group_estimates
    from experiments.costs import group_runs
    return Plan(settings, specs, datasets, seconds=estimate_seconds(specs, datasets), key=comparison_key(specs),
                estimates=group_estimates(group_runs(specs, datasets), datasets),
                private=any(spec.dataset in catalog.own for spec in specs))
