"""Training on a dask.distributed cluster (``run_grid(..., backend="dask", scheduler=...)``): checking that the
address is one, that a scheduler answers there, that it has workers that can run this project, and turning
every failure of the cluster into a SchedulerError that says what went wrong, each step bounded in time.

Nothing here is imported until the dask backend is asked for: distributed is an optional dependency.
"""
import multiprocessing
import re
import threading
from contextlib import contextmanager

import nn

from .costs import estimate_seconds

DASK_TIMEOUT_SECONDS = 10.0  # to connect and hear the scheduler, for a worker to join, for a worker to run a check
DASK_TASK_SECONDS = (60.0, 10.0)  # no group finishing within 60 s + 10 x the longest group's estimate: stuck


class SchedulerError(ValueError):
    """The dask scheduler at ``address`` cannot be used; ``reason`` says why, in a sentence."""

    def __init__(self, address, reason):
        super().__init__(reason if address is None else f"dask scheduler {address!r}: {reason}")
        self.address, self.reason = address, reason


SCHEDULER_ADDRESS = re.compile(r"((tcp|tls)://)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):([0-9]{1,5})|inproc://\S+")


def check_scheduler_address(address):
    """``address`` if it is written like a scheduler address (tcp://host:port, tls://host:port, host:port
    or an in-process inproc:// one); SchedulerError if not. Nothing is contacted."""
    if address is None or (isinstance(address, str) and not address.strip()):
        raise SchedulerError(None, "the dask backend needs a scheduler address, such as tcp://127.0.0.1:8786.")
    match = SCHEDULER_ADDRESS.fullmatch(address.strip()) if isinstance(address, str) else None
    if match is None or (match.group(4) is not None and not 1 <= int(match.group(4)) <= 65535):
        raise SchedulerError(address, "not a scheduler address; write it like tcp://127.0.0.1:8786 (scheme, host "
                                      "and a port from 1 to 65535).")
    return address.strip()


def _worker_check():
    """Run on a worker before any training: unpickling it there imports this module, so it proves the
    workers have the project installed."""
    return nn.__name__


def task_timeout(groups, datasets):
    """Seconds without any group finishing after which the cluster counts as stuck: generous for the
    longest group's estimated time, so only a worker that hangs or has vanished reaches it."""
    base, factor = DASK_TASK_SECONDS
    longest = max(estimate_seconds([spec for _, spec in members], datasets) for _, members in groups)
    return base + factor * longest


def _ask_scheduler(address, timeout):
    """Check that a dask scheduler answers at ``address``, over a connection of our own whose every step
    is bounded by ``timeout``. distributed's Client waits forever for the handshake of a server that
    accepts and stays silent, and allocates whatever length a server that replies garbage announces
    (exabytes): this check runs first, in a thread with its own event loop, so neither can happen."""
    import asyncio
    from distributed.comm import connect

    async def ask():
        comm = await connect(address, timeout=timeout)
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    outcome = {}

    def target():
        try:
            outcome["identity"] = asyncio.run(asyncio.wait_for(ask(), 2 * timeout))
        except BaseException as error:  # noqa: BLE001 - reported below, in words
            outcome["error"] = error

    thread = threading.Thread(target=target, name="dask-scheduler-check", daemon=True)
    thread.start()
    thread.join(3 * timeout)
    error = outcome.get("error")
    unreachable = isinstance(error, OSError) and "trying to connect" in str(error)
    if thread.is_alive() or (isinstance(error, TimeoutError) and not unreachable):
        raise SchedulerError(address, f"it accepts connections but gave no answer within {2 * timeout:g} s; is it a "
                                      "dask scheduler (usually port 8786)?")
    if unreachable:
        raise SchedulerError(address, f"cannot connect within {timeout:g} s (nothing listens there, or a firewall "
                                      "drops the connection); is the scheduler running?")
    if error is not None:
        raise SchedulerError(address, f"it answered, but not as a dask scheduler does ({_short_error(error)}); is "
                                      "it the scheduler's address (usually port 8786)?")
    identity = outcome.get("identity")
    kind = identity.get("type") if isinstance(identity, dict) else None
    if kind != "Scheduler":
        raise SchedulerError(address, f"it answered, but is not a dask scheduler (it says it is {kind or 'unknown'}).")


def _short_error(error):
    text = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _connect_dask(scheduler, timeout):
    """A Client of the scheduler at ``scheduler`` with at least one worker that can run this project;
    otherwise SchedulerError naming what went wrong, within a few ``timeout`` periods."""
    try:
        from distributed import Client
    except ImportError:
        raise ValueError("the dask backend needs dask.distributed: pip install 'dask[distributed]'.") from None
    _ask_scheduler(scheduler, timeout)
    try:
        client = Client(scheduler, timeout=timeout)
    except Exception as error:  # noqa: BLE001 - any failure to connect is one message
        raise SchedulerError(scheduler, f"cannot connect ({_short_error(error)}).") from None
    try:
        try:
            client.wait_for_workers(1, timeout=timeout)
        except (TimeoutError, OSError):
            raise SchedulerError(scheduler, f"no worker joined it within {timeout:g} s; start one with "
                                            f"`dask worker {scheduler}`.") from None
        future = client.submit(_worker_check, pure=False)
        try:
            future.result(timeout=timeout)
        except TimeoutError:
            future.cancel()
            raise SchedulerError(scheduler, f"its workers did not run a check task within {timeout:g} s (busy, or "
                                            "unable to load this project?).") from None
        except Exception as error:  # noqa: BLE001 - e.g. ModuleNotFoundError on the worker
            raise SchedulerError(scheduler, f"its workers cannot run this project's code ({_short_error(error)}); "
                                            "install the project (nn and experiments) where the workers run.") from None
    except BaseException:
        _close_client(client, timeout)
        raise
    return client


def _close_client(client, timeout):
    try:
        client.close(timeout=timeout)
    except Exception:  # noqa: BLE001 - closing a broken connection may fail; there is nothing left to do
        pass


@contextmanager
def connected(scheduler, task_timeout=None, timeout=None):
    """Connect to the scheduler (checked first: see ``_connect_dask``); while training, turn the cluster's
    failures into SchedulerError: no group finishing within ``task_timeout`` seconds (joblib's timeout),
    a lost connection, workers that died or cannot load the project."""
    timeout = DASK_TIMEOUT_SECONDS if timeout is None else timeout
    client = _connect_dask(scheduler, timeout)
    from distributed import KilledWorker
    try:
        yield client
    except (TimeoutError, multiprocessing.TimeoutError):  # joblib raises the latter
        raise SchedulerError(scheduler, f"no group of runs finished within {task_timeout:.0f} s (far beyond the "
                                        "estimate); a worker is stuck or gone.") from None
    except (OSError, ImportError, KilledWorker) as error:
        raise SchedulerError(scheduler, f"training on the cluster failed ({_short_error(error)}).") from None
    finally:
        _close_client(client, timeout)
