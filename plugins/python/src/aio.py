"""The asyncio side of the `python` workload: one event loop per worker process
for the demo's `async def` units, and the host's own IO they await through the
`runner` module (`await runner.get(url)`, `await runner.sleep(s)`; the module
itself is in runner_glue). Loaded only when the unit function is an `async def`.

Why a thread of its own: the host polls each unit's future on its thread (its
tokio runtime, where the host's IO runs), and asyncio needs a thread whose loop
it owns. The loop thread runs all the Python; the host's thread only starts
units, does the host's IO the units ask for, and hands the answers back with
`call_soon_threadsafe`. A unit's coroutine runs as a task in a context of its
own (`_current`), which its child tasks inherit: that is how a request or a
step of any task is charged to its unit.

Every step of every task is timed (a task factory wraps each coroutine): a
coroutine that does not await (time.sleep, CPU work) holds the loop, and the
verdict names the longest such step.
"""

import asyncio
import contextvars
import math
import os
import sys
import threading
import time

from runner_glue import Response, describe, encode, flush, one_line

_current = contextvars.ContextVar("runner_unit", default=None)
_loop = None
_loop_pid = None


class Unit:
    """One unit's side of the link to its future in the host: `finish(ok,
    text)` and `request(kind, argument, future)` are the host's; the task and
    the longest step are this side's."""

    __slots__ = ("unit", "finish", "request", "task", "longest_step", "finished")

    def __init__(self, unit, finish, request):
        self.unit, self.finish, self.request = unit, finish, request
        self.task, self.longest_step, self.finished = None, 0.0, False


def event_loop():
    """This process's loop, started on its own thread the first time (a
    forked worker starts its own: threads do not survive a fork)."""
    global _loop, _loop_pid
    if _loop is None or _loop_pid != os.getpid():
        loop = asyncio.new_event_loop()
        loop.set_task_factory(_timed_task)
        ready = threading.Event()
        threading.Thread(target=_serve, args=(loop, ready), name="runner-asyncio", daemon=True).start()
        ready.wait()
        _loop, _loop_pid = loop, os.getpid()
    return _loop


def _serve(loop, ready):
    asyncio.set_event_loop(loop)
    loop.call_soon(ready.set)
    while True:
        try:
            loop.run_forever()
        except BaseException as e:
            # asyncio lets SystemExit and KeyboardInterrupt out of a task the
            # demo started; the unit that awaits it fails with it, and the
            # loop goes on serving the others.
            print(f"runner: a task raised {one_line(e)} out of the event loop", file=sys.stderr)


def start(fn, unit, units, kwargs, finish, request):
    """Called on the host's thread: schedules unit `unit` on the loop and
    returns its `Unit`."""
    link = Unit(unit, finish, request)
    context = contextvars.copy_context()
    context.run(_current.set, link)
    loop = event_loop()
    loop.call_soon_threadsafe(_begin, loop, link, fn, unit, units, kwargs, context)
    return link


def _begin(loop, link, fn, unit, units, kwargs, context):
    link.task = loop.create_task(_unit(link, fn, unit, units, kwargs), context=context)


async def _unit(link, fn, unit, units, kwargs):
    try:
        value = await fn(unit, units, **kwargs)
        # Ends this step, so that it is charged (steps are charged when they
        # yield) before the longest is read.
        await asyncio.sleep(0)
        outcome = True, encode({"result": value, "longest_step_s": link.longest_step})
    except BaseException as e:
        # CancelledError and SystemExit included: they end this unit only.
        head = "cancelled" if isinstance(e, asyncio.CancelledError) else None
        outcome = False, describe(e, skip=1, head=head)
    finally:
        flush()
    link.finished = True
    link.finish(*outcome)


def cancel(link):
    """Called on the host's thread when it gives up on a unit's future."""
    if not link.finished and _loop is not None and _loop_pid == os.getpid():
        _loop.call_soon_threadsafe(lambda: link.task is not None and link.task.cancel())


def deliver(future, ok, value):
    """Called on the host's thread with the answer to one request."""
    future.get_loop().call_soon_threadsafe(_settle, future, ok, value)


def _settle(future, ok, value):
    if future.done():
        return  # cancelled meanwhile (asyncio.wait_for, a cancelled unit)
    if ok:
        future.set_result(value)
    else:
        future.set_exception(ConnectionError(value))


# -- timing every step of every task --------------------------------------

def _timed_task(loop, coro, **kwargs):
    return asyncio.Task(_timed(coro), loop=loop, **kwargs)


async def _timed(coro):
    return await _Steps(coro)


class _Steps:
    """Drives `coro` as `yield from` would, timing each step."""

    __slots__ = ("coro",)

    def __init__(self, coro):
        self.coro = coro

    def __await__(self):
        coro, value, error = self.coro, None, None
        while True:
            started = time.perf_counter()
            try:
                yielded = coro.send(value) if error is None else coro.throw(error)
            except StopIteration as stop:
                _charge(time.perf_counter() - started)
                return stop.value
            except BaseException:
                _charge(time.perf_counter() - started)
                raise
            _charge(time.perf_counter() - started)
            try:
                value, error = (yield yielded), None
            except BaseException as e:
                value, error = None, e


def _charge(seconds):
    link = _current.get()
    if link is not None and seconds > link.longest_step:
        link.longest_step = seconds


# -- the host's IO, awaitable (runner.get and runner.sleep call these) -----

def current_link():
    """The unit whose task is running on this thread, if any."""
    link = _current.get()
    return None if link is None or link.finished else link


def _link(what):
    link = _current.get()
    if link is None or link.finished:
        raise RuntimeError(f"{what} is for the `async def` unit functions the runner calls (and the tasks they start)")
    return link


async def get(url):
    """GET `url` through the host's own client (the host counts it, as it does
    a Rust plugin's); a transport failure raises ConnectionError."""
    link = _link("runner.get")
    future = asyncio.get_running_loop().create_future()
    link.request("get", str(url), future)
    status, body = await future
    return Response(status, body)


async def sleep(seconds):
    """Sleep on the host's timer, as a Rust plugin's units do."""
    seconds = float(seconds)
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"runner.sleep({seconds}): seconds must be finite and not negative")
    link = _link("runner.sleep")
    future = asyncio.get_running_loop().create_future()
    link.request("sleep", seconds, future)
    await future
