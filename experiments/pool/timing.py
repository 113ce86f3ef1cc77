"""When each comparison in the queue will be ready: the time model's group estimates, scheduled on the
workers the way the pool dispatches them (oldest comparison first, each group to the worker free first)."""
import heapq
import statistics
from collections import deque

SPEED_WINDOW = 8  # groups the speed is the median of: recent enough to follow the load, many enough not to jump
SPEED_RANGE = (0.5, 4.0)  # a server is not faster than half the model, and a slower one shows in its groups' pace
MIN_CALIBRATING_SECONDS = 0.3  # a group estimated shorter is mostly fixed costs: its ratio is noise
PACE_FROM = 0.3  # of a group's epochs done, after which its own pace alone says when it ends


def group_estimates(groups, datasets):
    """Seconds each lockstep group is expected to train, on a quiet machine (``costs.estimate_seconds``)."""
    from ..costs import estimate_seconds
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


class Speed:
    """How fast this server trains against the time model: the median of measured / estimated seconds of
    the last SPEED_WINDOW groups (each as long as the model says), within SPEED_RANGE. A median of several,
    not the last group's word: one slow digits group must not make every later estimate two times too long."""

    def __init__(self):
        self.ratios = deque(maxlen=SPEED_WINDOW)

    def record(self, measured, estimated):
        if estimated >= MIN_CALIBRATING_SECONDS:
            self.ratios.append(measured / estimated)

    @property
    def value(self):
        if not self.ratios:
            return 1.0
        return min(SPEED_RANGE[1], max(SPEED_RANGE[0], statistics.median(self.ratios)))


def group_remaining(estimate, speed, elapsed, fraction):
    """Seconds until a group in training ends: the model's word (``estimate`` x ``speed`` - ``elapsed``) at
    first, then more and more its own pace (``elapsed`` x (1 - ``fraction``) / ``fraction``, ``fraction`` of
    its epochs done), its pace alone from PACE_FROM on. So "left" does not jump each time a group ends."""
    model = max(estimate * speed - elapsed, 0.0)
    if fraction <= 0:
        return model
    pace = elapsed * (1 - fraction) / fraction
    weight = min(1.0, fraction / PACE_FROM)
    return (1 - weight) * model + weight * pace
