//! An `async def` unit as a future the host polls: the coroutine runs as a
//! task on its worker's asyncio loop (`aio.py`, on a thread of its own), and
//! this future, on the host's thread, waits for its outcome and does the
//! host's IO it asks for (`runner.get`, `runner.sleep`) with the host's async
//! functions, so the host counts and times that IO as it does a Rust
//! plugin's.
//!
//! The two threads meet in a [`Link`]: the loop's thread pushes requests and
//! the outcome into it and wakes the future; the future takes them, starts
//! the IO and hands each answer back to the loop (`call_soon_threadsafe`).
//! The link's lock is never held while waiting for the GIL.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use pyo3::prelude::*;
use pyo3::types::{PyCFunction, PyDict, PyTuple};
use runner_sdk::UnitContext;

use crate::{PythonCode, attach, message};

/// A unit's outcome: its result text, or why it failed.
type Outcome = Result<String, String>;

/// What the host does for a unit, on the unit's behalf.
enum Request {
    Sleep(Duration, Py<PyAny>),
    Get(String, Py<PyAny>),
    /// A line the unit printed (stream, line): emitted at once.
    Print(String, String),
}

#[derive(Default)]
struct LinkState {
    requests: Vec<Request>,
    outcome: Option<Outcome>,
    waker: Option<Waker>,
}

/// Where a unit's coroutine and its future meet.
#[derive(Default)]
struct Link(Mutex<LinkState>);

impl Link {
    fn with<R>(&self, f: impl FnOnce(&mut LinkState) -> R) -> R {
        f(&mut self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Called from the loop's thread: stores `change` and wakes the future.
    fn push(&self, change: impl FnOnce(&mut LinkState)) {
        let waker = self.with(|state| {
            change(state);
            state.waker.clone()
        });
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// Runs unit `unit` of `code` (an `async def` function) to its outcome.
/// `aio` is the asyncio side's module (`aio.py`).
pub(crate) async fn run_unit(code: &PythonCode, aio: &Py<PyModule>, unit: u64, cx: UnitContext<'_>) -> Outcome {
    let link = Arc::new(Link::default());
    let task = attach(|py| start(py, code, aio, unit, &link).map_err(|e| message(py, &e)))
        .map_err(|e| format!("the plugin could not start the unit on its event loop: {e}"))?;
    Drive { aio, cx, link: &link, io: Vec::new(), task: Some(task) }.await
}

/// Schedules the coroutine on the loop (made on first use in this process),
/// with the two callbacks its side of the link calls.
fn start(py: Python<'_>, code: &PythonCode, aio: &Py<PyModule>, unit: u64, link: &Arc<Link>) -> PyResult<Py<PyAny>> {
    let finished = Arc::clone(link);
    let finish = PyCFunction::new_closure(
        py,
        Some(c"finish"),
        None,
        move |args: &Bound<'_, PyTuple>, _: Option<&Bound<'_, PyDict>>| -> PyResult<()> {
            let (ok, text): (bool, String) = args.extract()?;
            finished.push(|state| state.outcome = Some(if ok { Ok(text) } else { Err(text) }));
            Ok(())
        },
    )?;
    let asking = Arc::clone(link);
    let request = PyCFunction::new_closure(
        py,
        Some(c"request"),
        None,
        move |args: &Bound<'_, PyTuple>, _: Option<&Bound<'_, PyDict>>| -> PyResult<()> {
            let kind: String = args.get_item(0)?.extract()?;
            if kind == "print" {
                let (stream, line): (String, String) = args.get_item(1)?.extract()?;
                asking.push(|state| state.requests.push(Request::Print(stream, line)));
                return Ok(());
            }
            let future = args.get_item(2)?.unbind();
            let request = match kind.as_str() {
                "sleep" => {
                    let seconds: f64 = args.get_item(1)?.extract()?;
                    Request::Sleep(Duration::try_from_secs_f64(seconds).unwrap_or(Duration::ZERO), future)
                }
                _ => Request::Get(args.get_item(1)?.extract()?, future),
            };
            asking.push(|state| state.requests.push(request));
            Ok(())
        },
    )?;
    let started =
        aio.bind(py).getattr("start")?.call1((&code.function, unit, code.units, &code.kwargs, finish, request))?;
    Ok(started.unbind())
}

/// The IO a unit asked for, in flight on the host's runtime.
type Io<'a> = Pin<Box<dyn Future<Output = ()> + 'a>>;

/// Waits for a unit's outcome, doing the IO it asks for meanwhile.
struct Drive<'a> {
    aio: &'a Py<PyModule>,
    cx: UnitContext<'a>,
    link: &'a Link,
    io: Vec<Io<'a>>,
    /// The coroutine's side of the link, until it has finished.
    task: Option<Py<PyAny>>,
}

impl Future for Drive<'_> {
    type Output = Outcome;

    fn poll(self: Pin<&mut Self>, task: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let (requests, outcome) = this.link.with(|state| {
            state.waker = Some(task.waker().clone());
            (std::mem::take(&mut state.requests), state.outcome.take())
        });
        let mut waits = Vec::new();
        for request in requests {
            match request {
                // Lines first: the last ones come with the outcome.
                Request::Print(stream, line) => crate::output::emit(&this.cx, &stream, &line),
                request => waits.push(request),
            }
        }
        if let Some(outcome) = outcome {
            // Requests still in flight belong to a finished unit: dropped.
            this.io.clear();
            let finished = this.task.take();
            attach(|_| drop((finished, waits)));
            return Poll::Ready(outcome);
        }
        for request in waits {
            this.io.push(io(this.aio, this.cx, request));
        }
        this.io.retain_mut(|io| io.as_mut().poll(task).is_pending());
        Poll::Pending
    }
}

impl Drop for Drive<'_> {
    fn drop(&mut self) {
        // Given up on before it finished (the host dropped the future): the
        // coroutine's task is cancelled too.
        if let Some(handle) = self.task.take() {
            attach(|py| {
                let _ = self.aio.bind(py).getattr("cancel").and_then(|cancel| cancel.call1((&handle,)));
                drop(handle);
            });
        }
    }
}

/// One request carried out by the host, its answer handed to the loop.
fn io<'a>(aio: &'a Py<PyModule>, cx: UnitContext<'a>, request: Request) -> Io<'a> {
    Box::pin(async move {
        match request {
            Request::Sleep(duration, future) => {
                cx.sleep_async(duration).await;
                attach(|py| deliver(py, aio, future, Ok(py.None())));
            }
            Request::Print(..) => {}
            Request::Get(url, future) => {
                let answer = cx.http_get_async(&url).await;
                attach(|py| {
                    let answer = answer.map(|response| {
                        let body = pyo3::types::PyBytes::new(py, &response.body);
                        (response.status, body).into_pyobject(py).map(|tuple| tuple.into_any().unbind())
                    });
                    match answer {
                        Ok(Ok(value)) => deliver(py, aio, future, Ok(value)),
                        Ok(Err(e)) => deliver(py, aio, future, Err(message(py, &e))),
                        Err(e) => deliver(py, aio, future, Err(e)),
                    }
                });
            }
        }
    })
}

fn deliver(py: Python<'_>, aio: &Py<PyModule>, future: Py<PyAny>, answer: Result<Py<PyAny>, String>) {
    let (ok, value) = match answer {
        Ok(value) => (true, value),
        Err(text) => (false, text.into_pyobject(py).map(|s| s.into_any().unbind()).unwrap_or_else(|_| py.None())),
    };
    if let Err(e) = aio.bind(py).getattr("deliver").and_then(|deliver| deliver.call1((future, ok, value))) {
        // The loop is closed or gone: nobody is left to wait for the answer.
        eprintln!("runner: could not hand an answer to the event loop: {}", message(py, &e));
    }
}
