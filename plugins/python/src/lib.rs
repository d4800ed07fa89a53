//! Python code under every strategy, with the real GIL: the `python` workload
//! embeds CPython (through pyo3) and calls a function of the demo's own code
//! once per unit, so the lecture's Python runs on the host's threads, pools and
//! forked processes exactly as written.
//!
//! # How the interpreter meets the host's strategies
//!
//! - **Initialised in `prepare`**, on the run's main thread, with CPython's
//!   signal handlers left out (pyo3's `Py_InitializeEx(0)`): the runner's
//!   SIGTERM on timeout must end the run, not become a `KeyboardInterrupt`-like
//!   exception somewhere. `prepare` leaves the interpreter idle: no thread
//!   state attached on the calling thread, no Python thread started.
//! - **Threads and pools** call [`Python::attach`] from each OS thread: the
//!   real GIL decides who runs, and blocking IO in Python releases it.
//! - **Processes** are forked by the host from that idle, single-threaded
//!   process. A forked child inherits a consistent interpreter (no other thread
//!   existed, the GIL was free), but CPython's own after-fork work has not run:
//!   the GIL and runtime locks re-made, the thread id of the main thread, the
//!   `os.register_at_fork(after_in_child=…)` hooks (`random` reseeds there,
//!   `threading` resets its state). The first attach in a process whose pid is
//!   not the one that owns the interpreter calls `PyOS_AfterFork_Child`, with
//!   the GIL held as `os.fork()` does. Done lazily rather than with a
//!   `pthread_atfork` handler, so that no fork the plugin does not know about
//!   (a `subprocess` started by the demo) runs CPython's fork hooks twice.
//! - **async**: an `async def` unit function runs under the `async` and
//!   `async-processes` strategies, as a task on one asyncio event loop per
//!   worker process, on a thread of its own (see `aio.rs` and `aio.py`); the
//!   host polls each unit's future and does the host IO it asks for. Each
//!   kind of function is refused by the other kind of strategy with
//!   `fail_run` (the manifest cannot say which kind the demo's code defines).
//!
//! # What crosses between Python and the runner
//!
//! A unit's result is its return value as JSON text (`json.dumps`, with
//! `repr()` for whatever JSON cannot hold); `verify(results)` receives the
//! list decoded again (`None` for failed units). An `async def` unit's text
//! is `{"result": …, "longest_step_s": …}` (its longest step on the loop,
//! which the verdict reports), unwrapped before `verify` sees it. Exceptions of every kind,
//! `SystemExit` included, are caught in Python (`glue.py`) and become the
//! unit's failure with the formatted traceback; nothing is ever printed with
//! `PyErr_Print`, which would end the process on `SystemExit`.

use std::ffi::CString;
use std::sync::atomic::{AtomicU32, Ordering};

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use runner_sdk::{ParamSpec, Params, UnitContext, UnitFuture, Workload, export_plugin, with_figures};

mod aio;
mod libpython;
mod output;

/// The glue between the runner and the demo's code, run as a module of its own.
const GLUE: &str = include_str!("glue.py");

/// The asyncio side (an event loop per worker, the host IO units await),
/// loaded after the demo's code, only when its unit function is an `async def`.
const AIO: &str = include_str!("aio.py");

/// The module the demo's code runs as (`__name__`): not `__main__`, so a
/// script's `if __name__ == "__main__":` block does not run when it is loaded.
const DEMO_MODULE: &str = "demo";

/// The process whose interpreter state is current: 0 until `prepare` made one,
/// then the pid that made it; a forked child sees another pid.
static INTERPRETER_PID: AtomicU32 = AtomicU32::new(0);

unsafe extern "C" {
    /// CPython's after-fork work for the child (`os.fork()` calls it): not
    /// in pyo3-ffi, exported by every libpython since 3.7.
    fn PyOS_AfterFork_Child();
}

/// Attaches the calling thread to the interpreter, first making a forked
/// child's copy of it sane (see the module docs).
fn attach<R>(f: impl for<'py> FnOnce(Python<'py>) -> R) -> R {
    Python::attach(|py| {
        let pid = std::process::id();
        // Checked with the GIL held, so two threads of one child cannot both
        // see the old pid.
        let owner = INTERPRETER_PID.load(Ordering::Acquire);
        if owner != 0 && owner != pid {
            // SAFETY: this thread holds the GIL (attached above) and is the
            // only thread of a process forked from the one that owns the
            // interpreter: the state `os.fork()` calls this in.
            unsafe { PyOS_AfterFork_Child() };
            INTERPRETER_PID.store(pid, Ordering::Release);
        }
        f(py)
    })
}

/// A Python exception raised by the glue itself (a bad function name, code
/// that does not load), as one message.
fn message(py: Python<'_>, err: &PyErr) -> String {
    match err.value(py).str() {
        Ok(text) => text.to_string(),
        Err(_) => err.to_string(),
    }
}

/// The `python` workload: one call of the demo's function per unit.
#[derive(Debug)]
struct PythonCode {
    glue: Py<PyModule>,
    /// The asyncio side, loaded only for an `async def` unit function.
    aio: Option<Py<PyModule>>,
    function: Py<PyAny>,
    /// The unit function's name, for messages.
    function_name: String,
    verify: Option<Py<PyAny>>,
    /// `verify` takes the keyword arguments too (`verify(results, **kwargs)`).
    verify_kwargs: bool,
    kwargs: Py<PyDict>,
    units: u64,
}

impl PythonCode {
    /// The demo's source, a file name for tracebacks, and the directory
    /// (a file's, for its imports) from `code` or `file`.
    fn source(params: &Params) -> Result<(String, String, Option<String>), String> {
        let code = params.string("code")?;
        match (code.is_empty(), params.path("file")?) {
            (false, None) => Ok((code.to_owned(), "<scenario code>".to_owned(), None)),
            (true, Some(file)) => {
                let source =
                    std::fs::read_to_string(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
                let directory = file.parent().map(|d| d.display().to_string());
                Ok((source, file.display().to_string(), directory))
            }
            (false, Some(file)) => Err(format!(
                "both `code` and `file` ({}) are given: the demo's Python comes from one of them",
                file.display()
            )),
            (true, None) => Err("no Python code: give `code = '''…'''` (inline) or `file = \"demo.py\"` (relative to \
                 the scenario) in [workload.params]"
                .to_owned()),
        }
    }

    /// The keyword arguments every call gets: `kwargs`, plus `url` when set.
    fn kwargs<'py>(glue: &Bound<'py, PyModule>, params: &Params) -> PyResult<Bound<'py, PyDict>> {
        let table =
            serde_json::Value::Object(params.table("kwargs").map_err(pyo3::exceptions::PyValueError::new_err)?.clone());
        let kwargs = glue.getattr("kwargs_from_json")?.call1((table.to_string(),))?.cast_into::<PyDict>()?;
        let url = params.string("url").map_err(pyo3::exceptions::PyValueError::new_err)?;
        // An explicit `kwargs.url` wins over the parameter (which the runner
        // fills with its server's address).
        if !url.is_empty() && !kwargs.contains("url")? {
            kwargs.set_item("url", url)?;
        }
        Ok(kwargs)
    }
}

impl Workload for PythonCode {
    const NAME: &'static str = "python";
    const DESCRIPTION: &'static str = "calls `function(unit, units, **kwargs)` of the given Python code once per unit, \
        under the real GIL; a Python exception (SystemExit included) fails its unit with the traceback; verifies \
        with the code's `verify(results)` if it has one, else that every unit returned";

    fn params() -> Vec<ParamSpec> {
        vec![
            ParamSpec::string("code", "", "the demo's Python source, inline (give this or `file`)"),
            ParamSpec::path("file", "a .py file with the demo's code, relative to the scenario (give this or `code`)"),
            ParamSpec::string(
                "function",
                "unit",
                "the function called once per unit as function(unit, units, **kwargs)",
            ),
            ParamSpec::string(
                "verify",
                "verify",
                "the function called as verify(results, **kwargs) or verify(results), results being what the units \
                 returned (None for failed ones); returns True/False, (ok, message) or (ok, message, {figure: number}); \
                 the default `verify` is optional, \"\" turns it off",
            ),
            ParamSpec::table("kwargs", "keyword arguments for every call, e.g. { steps = 10_000_000 }"),
            ParamSpec::string(
                "url",
                "",
                "passed as keyword `url` when not empty; with [server] the runner fills it with the server's address",
            ),
        ]
    }

    fn prepare(params: &Params, units: u64) -> Result<Self, String> {
        let (source, filename, directory) = Self::source(params)?;
        let function_name = params.string("function")?;
        let verify = params.string("verify")?;
        libpython::make_global()?;
        let made = attach(|py| -> Result<Self, String> {
            let glue = PyModule::from_code(
                py,
                &CString::new(GLUE).map_err(|e| e.to_string())?,
                c"runner_glue.py",
                c"runner_glue",
            )
            .map_err(|e| format!("the plugin's glue did not load: {}", message(py, &e)))?;
            let kwargs = Self::kwargs(&glue, params).map_err(|e| message(py, &e))?;
            output::install(py, &glue).map_err(|e| message(py, &e))?;
            let module = glue
                .getattr("load")
                .and_then(|load| load.call1((source, filename, DEMO_MODULE, directory)))
                .map_err(|e| message(py, &e))?;
            type Resolved<'py> = (Bound<'py, PyAny>, Option<Bound<'py, PyAny>>, bool, bool);
            let (function, verify, verify_kwargs, is_async): Resolved<'_> = glue
                .getattr("resolve")
                .and_then(|resolve| resolve.call1((module, function_name, verify, &kwargs)))
                .and_then(|pair| pair.extract())
                .map_err(|e| message(py, &e))?;
            let aio = if is_async {
                let aio = PyModule::from_code(
                    py,
                    &CString::new(AIO).map_err(|e| e.to_string())?,
                    c"runner_aio.py",
                    c"runner_aio",
                )
                .map_err(|e| format!("the plugin's asyncio side did not load: {}", message(py, &e)))?;
                Some(aio.unbind())
            } else {
                None
            };
            Ok(PythonCode {
                glue: glue.unbind(),
                aio,
                function: function.unbind(),
                function_name: function_name.to_owned(),
                verify: verify.map(Bound::unbind),
                verify_kwargs,
                kwargs: kwargs.unbind(),
                units,
            })
        })?;
        // From here on, a process with another pid is a forked copy.
        INTERPRETER_PID.store(std::process::id(), Ordering::Release);
        Ok(made)
    }

    const ASYNC: bool = true;

    fn run_unit(&self, unit: u64, cx: &UnitContext<'_>) -> Result<String, String> {
        if self.aio.is_some() {
            cx.fail_run(&format!(
                "`{}` is an `async def`: it needs an event loop, which the `async` and `async-processes` strategies \
                 give it (one per worker); the other strategies call a plain `def`",
                self.function_name
            ));
        }
        let _printing = output::Printing::new(cx);
        attach(|py| {
            let outcome = self
                .glue
                .bind(py)
                .getattr("call")
                .and_then(|call| call.call1((&self.function, unit, self.units, &self.kwargs)))
                .and_then(|pair| pair.extract::<(bool, String)>());
            match outcome {
                Ok((true, result)) => Ok(result),
                Ok((false, failure)) => Err(failure),
                Err(e) => Err(format!("the plugin could not call the unit: {}", message(py, &e))),
            }
        })
    }

    fn run_unit_async<'a>(&'a self, unit: u64, cx: UnitContext<'a>) -> UnitFuture<'a> {
        let Some(aio) = &self.aio else {
            cx.fail_run(&format!(
                "`{}` is a plain `def`: the `async` strategies run an `async def` unit function on an event loop \
                 (write `async def {}(unit, units, ...)`, and await inside it)",
                self.function_name, self.function_name
            ));
        };
        Box::pin(aio::run_unit(self, aio, unit, cx))
    }

    fn verify(&self, results: &[Option<String>]) -> Result<String, String> {
        attach(|py| {
            let texts = PyList::new(py, results).map_err(|e| message(py, &e))?;
            let verdict = self
                .glue
                .bind(py)
                .getattr("check")
                .and_then(|check| {
                    check.call1((&self.verify, self.verify_kwargs.then_some(&self.kwargs), texts, self.aio.is_some()))
                })
                .and_then(|verdict| verdict.extract::<(bool, String, Vec<(String, f64)>)>());
            let (ok, message, figures) = match verdict {
                Ok(verdict) => verdict,
                Err(e) => return Err(format!("the plugin could not verify: {}", message(py, &e))),
            };
            let text = if figures.is_empty() {
                message
            } else {
                let figures: Vec<(&str, f64)> = figures.iter().map(|(name, value)| (name.as_str(), *value)).collect();
                with_figures(message, &figures)
            };
            if ok { Ok(text) } else { Err(text) }
        })
    }
}

export_plugin! {
    name: "python",
    description: concat!("Python code under every strategy, with the real GIL: ", env!("RUNNER_PYTHON_VERSION")),
    workloads: [PythonCode],
}
