"""The Python side of the `python` workload: loading the demo's code, calling
its unit function, and turning results and verdicts into plain values.

Written in Python because this is where exceptions, tracebacks, signatures and
JSON are native; the Rust side only holds the objects and passes text across
the plugin boundary. Every function here catches BaseException (SystemExit and
KeyboardInterrupt included) so that nothing the demo does can end the process
or leave an exception pending in the interpreter.
"""

import collections
import inspect
import json
import linecache
import sys
import threading
import traceback
import types

# The plugin's own modules (their frames are left out of tracebacks).
GLUE_FILES = ("runner_glue.py", "runner_aio.py")
# A step of a coroutine this long held its loop (asyncio's own slow_callback_duration).
SLOW_STEP_S = 0.1


def load(source, filename, name, directory):
    """Runs the demo's source as module `name` and returns the module.

    The source is registered with linecache, so tracebacks of inline code show
    their lines as they do for a file. A file's directory goes first on
    sys.path, so the demo can import helper modules beside it.
    """
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    if directory and directory not in sys.path:
        sys.path.insert(0, directory)
    module = types.ModuleType(name)
    module.__file__ = filename
    # Registered, as an imported module is: dataclasses and pickle look
    # classes up through sys.modules.
    sys.modules[name] = module
    try:
        exec(compile(source, filename, "exec"), module.__dict__)
    except BaseException as e:
        del sys.modules[name]
        raise RuntimeError("the code failed while loading:\n" + describe(e, skip=1)) from None
    return module


def resolve(module, function, verify, kwargs):
    """The unit function and the verify function (or None), checked to be
    callable as they will be called."""
    defined = sorted(n for n, v in vars(module).items() if callable(v) and not n.startswith("_")
                     and getattr(v, "__module__", None) == module.__name__)
    fn = getattr(module, function, None)
    if not callable(fn):
        raise LookupError(f"the code defines no function `{function}` (it defines: {', '.join(defined) or 'none'}); "
                          f"name the unit function with `function = \"...\"`")
    is_async = inspect.iscoroutinefunction(fn)
    call = ", ".join(["unit", "units"] + [f"{k}=..." for k in kwargs])
    try:
        inspect.signature(fn).bind(0, 1, **kwargs)
    except TypeError as e:
        raise TypeError(f"`{function}{inspect.signature(fn)}` cannot be called as {function}({call}): {e}") from None
    except ValueError:
        pass  # a builtin without a signature: find out when it is called
    check, check_kwargs = None, False
    if verify:
        check = getattr(module, verify, None)
        if check is None and verify == "verify":
            pass  # the default name, and the code has no such function: no verify
        elif not callable(check):
            raise LookupError(f"the code defines no function `{verify}` to verify with "
                              f"(it defines: {', '.join(defined) or 'none'})")
        else:
            check_kwargs = takes(check, [None], kwargs)
            if not check_kwargs and not takes(check, [None], {}):
                raise TypeError(f"`{verify}{inspect.signature(check)}` cannot be called as {verify}(results) "
                                f"nor as {verify}(results, **kwargs)")
    return fn, check, check_kwargs, is_async


def takes(fn, args, kwargs):
    """Whether fn(*args, **kwargs) fits fn's signature (True when unknown)."""
    try:
        inspect.signature(fn).bind(*args, **kwargs)
    except TypeError:
        return False
    except ValueError:
        return True
    return True


def kwargs_from_json(text):
    return json.loads(text)


def call(fn, unit, units, kwargs):
    """One unit: (True, result as JSON text) or (False, why, with the traceback)."""
    try:
        value = fn(unit, units, **kwargs)
    except BaseException as e:
        return False, describe(e, skip=1)
    finally:
        # A forked worker ends with _exit: what the unit printed would be lost
        # in Python's buffers.
        flush()
    return True, encode(value)


def encode(value):
    """A result as JSON text; what JSON cannot hold is sent as its repr()."""
    try:
        return json.dumps(value, default=repr)
    except (TypeError, ValueError):
        return json.dumps(repr(value))


def check(verify, kwargs, texts, is_async):
    """The verdict over all results: (ok, message, [(figure, number)]).
    `kwargs` is None when verify takes the results alone. An async unit's
    text also carries its longest step (see runner_aio): the verdict says
    when a unit held its event loop, and reports `longest_step_s`."""
    results = [None if t is None else json.loads(t) for t in texts]
    steps = {}
    if is_async:
        for i, r in enumerate(results):
            if r is not None:
                results[i], steps[i] = r["result"], float(r["longest_step_s"])
    failed = [i for i, t in enumerate(texts) if t is None]
    ok, message, figures = verdict_of(verify, kwargs, results, failed)
    if is_async:
        slowest = max(steps, key=steps.get, default=None)
        figures.setdefault("longest_step_s", 0.0 if slowest is None else steps[slowest])
        if slowest is not None and steps[slowest] >= SLOW_STEP_S:
            message += (f"; unit {slowest} held its event loop for {steps[slowest]:.2f} s without awaiting "
                        f"(time.sleep or CPU work in a coroutine stops every other unit of its worker)")
    return ok, message, list(figures.items())


def verdict_of(verify, kwargs, results, failed):
    if verify is None:
        if failed:
            return False, f"{len(failed)} of {len(results)} units failed (first: unit {failed[0]})", {}
        return True, f"all {len(results)} units returned", {}
    try:
        verdict = verify(results, **(kwargs or {}))
    except BaseException as e:
        return False, f"{verify.__name__}(results) raised {one_line(e)}", {}
    finally:
        flush()
    return interpret(verify.__name__, verdict)


def interpret(name, verdict):
    """True/False, (ok, message) or (ok, message, {figure: number})."""
    if isinstance(verdict, tuple) and len(verdict) in (2, 3):
        ok, message, figures = (verdict + ({},))[:3]
        if not isinstance(figures, dict):
            return False, f"{name}(results) returned figures that are not a dict: {figures!r}", {}
        try:
            figures = {str(k): float(v) for k, v in figures.items()}
        except (TypeError, ValueError):
            return False, f"{name}(results) returned figures that are not all numbers: {figures!r}", {}
        return bool(ok), str(message), figures
    if isinstance(verdict, bool):
        return verdict, f"{name}(results) returned {verdict}", {}
    return False, (f"{name}(results) returned {verdict!r}; expected True/False, (ok, message) "
                   f"or (ok, message, figures)"), {}


def describe(e, skip=0, head=None):
    """`Type: message` (or `head`) on the first line, then the traceback,
    without the `skip` outermost frames, nor any frame of the plugin's own
    Python (the asyncio side wraps every task's coroutine)."""
    tb = e.__traceback__
    for _ in range(skip):
        tb = tb.tb_next if tb is not None else None
    head = head or one_line(e)
    if isinstance(e, SystemExit):
        head += " (sys.exit() in the demo's code: it fails this unit, not the process)"
    report = traceback.TracebackException(type(e), e, tb)
    report.stack = traceback.StackSummary.from_list([f for f in report.stack if f.filename not in GLUE_FILES])
    return head + "\n" + "".join(report.format()).rstrip()


def one_line(e):
    return "".join(traceback.format_exception_only(type(e), e)).strip().splitlines()[-1]


def flush():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass


# -- the `runner` module a demo imports ------------------------------------
# Here rather than in runner_aio, so that a demo can `import runner` while
# asyncio, which only async units need, is not loaded (6 MiB, 20 ms).

Response = collections.namedtuple("Response", "status body")
Response.__doc__ = "An answer to runner.get: the HTTP status and the body (bytes)."


def _aio(what):
    aio = sys.modules.get("runner_aio")
    if aio is None:
        raise RuntimeError(f"{what} is for the `async def` unit functions the runner calls (and the tasks they start)")
    return aio


async def _get(url):
    """GET `url` through the host's own client (the host counts it, as it does
    a Rust plugin's): a Response(status, body); a transport failure raises
    ConnectionError. For `async def` units."""
    return await _aio("runner.get").get(url)


async def _sleep(seconds):
    """Sleep on the host's timer, as a Rust plugin's units do. For `async def` units."""
    return await _aio("runner.sleep").sleep(seconds)


public = types.ModuleType("runner", "The host's IO for `async def` units: await runner.get(url), runner.sleep(s).")
public.get, public.sleep, public.Response = _get, _sleep, Response
public.get.__name__, public.sleep.__name__ = "get", "sleep"
sys.modules.setdefault("runner", public)


# -- what the units print, line by line (`runner --show-output`) ------------

# A line longer than this is passed on in pieces.
LONGEST_LINE = 4096


class Lines:
    """sys.stdout or sys.stderr: everything still goes to the real stream
    (the runner captures it); each complete line a unit prints also goes to
    the runner as an `output` event, with the worker and the time the run
    saw it. Lines are put together per thread, so threads that print at once
    do not mix their halves."""

    def __init__(self, inner, name, emit):
        self._inner, self._name, self._emit, self._partial = inner, name, emit, threading.local()

    def write(self, text):
        written = self._inner.write(text)
        *lines, rest = (getattr(self._partial, "text", "") + text).split("\n")
        while len(rest) > LONGEST_LINE:
            lines.append(rest[:LONGEST_LINE])
            rest = rest[LONGEST_LINE:]
        self._partial.text = rest
        for line in lines:
            try:
                self._emit(self._name, line)
            except BaseException:
                pass  # showing output is never worth a unit
        return written

    def flush(self):
        self._inner.flush()

    def __getattr__(self, name):
        return getattr(self._inner, name)


def install_output(emit):
    """Puts Lines in front of sys.stdout and sys.stderr; `emit(stream, line)`
    reaches the runner from a unit's own thread (a blocking unit)."""
    def route(stream, line):
        aio = sys.modules.get("runner_aio")
        link = aio.current_link() if aio is not None else None
        if link is not None:
            link.request("print", (stream, line), None)  # the unit's future emits it
        else:
            emit(stream, line)
    sys.stdout = Lines(sys.stdout, "stdout", route)
    sys.stderr = Lines(sys.stderr, "stderr", route)
