"""The lecture's own Python functions, as units for `runner`.

Each demo function is called once per unit as `function(unit, units, **kwargs)`;
`verify(results)` gets the list of what the units returned (None for a failed
unit). The scenarios next to this directory (python_gil.toml, python_io.toml,
python_race.toml) say which function runs under which strategy.
"""

import threading
import urllib.request


# --- CPU-bound: the lecture's counting loop ---------------------------------

def worker(steps):
    """The lecture's `worker(steps)`, as written there."""
    count = 0
    for i in range(steps):
        count += 1
    return count


def count(unit, units, steps):
    """One unit counts its share of `steps`, as the lecture splits
    STEPS // NUM_THREADS over its threads and processes."""
    return worker(steps // units + (unit < steps % units))


def verify_count(results, steps):
    """Every unit counted its share, and the shares add up to `steps`."""
    total = sum(r for r in results if r is not None)
    missing = [i for i, r in enumerate(results) if r is None]
    if missing:
        return False, f"units {missing} counted nothing"
    return total == steps, f"count = {total}, steps = {steps}"


# --- IO-bound: downloads --------------------------------------------------

# No proxy: the server is on 127.0.0.1, whatever http_proxy says.
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def download(url):
    """The lecture's `download()` (it used requests.get(url).text)."""
    with opener.open(url, timeout=30) as response:
        return response.read().decode()


def fetch(unit, units, url):
    """One unit downloads one page; it returns the page's length."""
    return len(download(url))


def verify_fetch(results, url):
    pages = [r for r in results if r is not None]
    if len(pages) < len(results):
        return False, f"{len(results) - len(pages)} of {len(results)} downloads failed"
    return True, f"{len(pages)} pages, {sum(pages)} bytes"


# --- The race: `counter += 1` from 10 threads -----------------------------

counter = 0
lock = threading.Lock()


def bump(value):
    return value + 1


def worker_plus(num):
    """The lecture's unlocked worker."""
    global counter
    for i in range(num):
        counter += 1


def worker_bump(num):
    """The same update with a function call inside it."""
    global counter
    for i in range(num):
        counter = bump(counter)


def worker_locked(num):
    """The lecture's locked worker, around the update that loses."""
    global counter
    for i in range(num):
        lock.acquire()
        counter = bump(counter)
        lock.release()


FORMS = {"plus": worker_plus, "bump": worker_bump, "locked": worker_locked}

WHY = {
    "plus": "CPython 3.11 switches threads only where a loop jumps back or a function starts, "
            "never inside `counter += 1`, so no other thread runs between its read and its write",
    "bump": "a thread read `counter`, was switched out as bump() started, and later stored its stale value + 1 "
            "over every update made meanwhile",
    "locked": "the lock makes the read, bump() and the write one step that no other thread can enter",
}


def race(unit, units, num, form, expect):
    """One thread of the lecture's race: `num` updates of the global counter."""
    FORMS[form](num)
    return num


def verify_race(results, num, form, expect):
    """Compares the counter with the updates the units made; `expect` is
    exact, lost (the race must show) or untouched (processes: each process
    updated its own copy of the counter)."""
    expected = sum(r for r in results if r is not None)
    lost = expected - counter
    figures = {"expected": expected, "counted": counter, "lost_updates": lost}
    if counter == expected:
        seen, message = "exact", f"counter = {counter} = expected: no update lost; {WHY[form]}"
    elif counter == 0:
        seen, message = "untouched", (f"counter here = 0, expected {expected}: each forked process "
                                      f"updated its own copy of the module's counter")
    else:
        seen, message = "lost", (f"counter = {counter}, expected {expected}: {lost} updates lost "
                                 f"({100 * lost / expected:.1f} %); {WHY[form]}")
    if seen != expect:
        message += f" (expected the run to be {expect})"
    return seen == expect, message, figures
