"""When each comparison in the queue will be ready: the time model's group estimates, scheduled on the
workers the way the pool dispatches them (oldest comparison first, each group to the worker free first)."""
import heapq


def group_estimates(groups, datasets):
    """Seconds each lockstep group is expected to train, on a quiet machine (``limits.estimate_seconds``)."""
    from ..limits import estimate_seconds
    return [estimate_seconds([spec for _, spec in members], datasets) for _, members in groups]


def finish_times(free, queue, speed):
    """{comparison: seconds from now until it is ready}.

    ``free``: seconds until each worker (started or not) can take a group. ``queue``: (comparison, estimates of
    its groups not yet sent, seconds left of its groups in training), oldest first. ``speed``: measured /
    estimated seconds on this server, applied to the estimates of the groups not yet sent."""
    free = list(free)
    heapq.heapify(free)
    ends = {}
    for comparison, pending, running in queue:
        end = max(running, default=0.0)
        for estimate in pending:
            start = heapq.heappop(free) if free else 0.0
            end = max(end, start + estimate * speed)
            heapq.heappush(free, start + estimate * speed)
        ends[comparison] = end
    return ends
