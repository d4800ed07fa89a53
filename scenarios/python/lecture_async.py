"""The last third of the lecture in Python: five one-second requests one after
another, overlapped by generators and by asyncio, and 100 downloads with
asyncio (aiohttp, asyncio's own streams, the runner's client).

`async def` unit functions run under the `async` and `async-processes`
strategies, one asyncio event loop per worker; the other functions are plain
and run under the blocking strategies. python_generators.toml and
python_async.toml say which runs where.
"""

import asyncio
import heapq
import time
import urllib.parse

import runner  # the host's own IO, awaitable: runner.get(url), runner.sleep(s)

try:
    # Imported when the code loads (before the clock starts, and before a
    # fork): importing aiohttp takes a fifth of a second.
    import aiohttp  # Debian: apt-get install python3-aiohttp
except ImportError as missing:
    aiohttp, aiohttp_missing = None, missing

from lecture import verify_fetch  # noqa: F401 (the downloads' verify)


# --- Five requests of one second ----------------------------------------

def request_blocking(i):
    """The lecture's first `request(i)`: a second of time.sleep."""
    print("Sending request %d" % i)
    time.sleep(1)
    print("Got response from request %d" % i)


def one_after_another(unit, units, requests=5):
    """`for i in range(5): request(i)`: five seconds."""
    for i in range(requests):
        request_blocking(i)
    return requests


def request_generator(i):
    """The lecture's generator `request(i)`: it yields while it waits (here it
    says how long: one second) and is resumed with the data."""
    print("Sending request %d" % i)
    data = yield 1.0
    print("Got response from request %d" % i)
    return data


def run_generators(generators):
    """A scheduler of our own: starts every generator, then sleeps until the
    earliest wake-up and resumes that generator with `send`, until all are
    done. This is the loop asyncio runs for you."""
    waiting = []  # (wake-up time, order, generator)
    done = []
    for order, gen in enumerate(generators):
        delay = next(gen)  # runs up to its first `yield`
        heapq.heappush(waiting, (time.monotonic() + delay, order, gen))
    while waiting:
        wake, order, gen = heapq.heappop(waiting)
        time.sleep(max(0.0, wake - time.monotonic()))
        try:
            delay = gen.send("data")
        except StopIteration as stop:
            done.append(stop.value)
        else:
            heapq.heappush(waiting, (time.monotonic() + delay, order, gen))
    return done


def overlapped_by_generators(unit, units, requests=5):
    """The five requests overlapped with yield / send: one second."""
    return len(run_generators([request_generator(i) for i in range(requests)]))


async def get_data():
    await asyncio.sleep(1)


async def request(i):
    """The lecture's asyncio `request(i)`."""
    print("Sending request %d" % i)
    await get_data()
    print("Got response from request %d" % i)


async def gathered(unit, units, requests=5):
    """`loop.run_until_complete(asyncio.gather(*[request(i) for i in range(5)]))`:
    one second (the runner's worker owns the loop)."""
    await asyncio.gather(*[request(i) for i in range(requests)])
    return requests


def verify_requests(results, requests=5):
    served = sum(r for r in results if r is not None)
    return served == requests * len(results), f"{served} requests answered"


# --- 100 downloads --------------------------------------------------------

_sessions = {}


async def session():
    """One aiohttp ClientSession per event loop (per worker), as aiohttp wants:
    the lecture's `aiohttp.get(url)` no longer exists."""
    if aiohttp is None:
        raise RuntimeError(f"aiohttp is not installed for this Python ({aiohttp_missing}): "
                           f"apt-get install python3-aiohttp")
    loop = asyncio.get_running_loop()
    if loop not in _sessions:
        # No limit on connections: all the units' requests go out together,
        # as the lecture's did.
        _sessions[loop] = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
    return _sessions[loop]


async def download_aiohttp(unit, units, url):
    """The lecture's `download()` with aiohttp: the page's length."""
    client = await session()
    async with client.get(url) as response:
        return len(await response.text())


async def download_streams(unit, units, url):
    """The same GET by hand on asyncio's streams: no library at all."""
    address = urllib.parse.urlsplit(url)
    reader, writer = await asyncio.open_connection(address.hostname, address.port or 80)
    try:
        writer.write(f"GET {address.path or '/'} HTTP/1.1\r\nHost: {address.netloc}\r\nConnection: close\r\n\r\n"
                     .encode())
        await writer.drain()
        answer = await reader.read()
    finally:
        writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    if status != 200:
        raise RuntimeError(f"HTTP {status}")
    return len(body.decode())


async def download_host(unit, units, url):
    """The same GET through the runner's own client (`await runner.get`): the
    IO the Rust `download` workload does, counted and timed by the host."""
    response = await runner.get(url)
    if response.status != 200:
        raise RuntimeError(f"HTTP {response.status}")
    return len(response.body.decode())
