//! What a unit prints, line by line, as `output` events (`runner
//! --show-output`): `glue.Lines` stands in front of `sys.stdout` and
//! `sys.stderr`, and each complete line reaches the host with the worker
//! that printed it and the run's time, beside the unit's own events. A
//! blocking unit's lines are emitted here, on its own thread, through the
//! host table of the call in progress ([`Printing`]); an async unit's go
//! through its future (`aio.rs`), which holds its worker's table.

use std::cell::Cell;

use pyo3::prelude::*;
use pyo3::types::{PyCFunction, PyDict, PyModule, PyTuple};
use runner_sdk::UnitContext;

/// The custom event's name, which the host keeps for `--show-output`.
pub(crate) const EVENT: &str = "output";

thread_local! {
    /// The host table of the unit running on this thread, if one is.
    static CURRENT: Cell<Option<UnitContext<'static>>> = const { Cell::new(None) };
}

/// Reports one line printed by a unit.
pub(crate) fn emit(cx: &UnitContext<'_>, stream: &str, line: &str) {
    cx.emit(EVENT, &serde_json::json!({ "stream": stream, "line": line }));
}

/// While alive, lines printed on this thread are this unit's.
pub(crate) struct Printing(());

impl Printing {
    pub(crate) fn new(cx: &UnitContext<'_>) -> Printing {
        // SAFETY: only the lifetime changes; the table is used only while
        // this guard lives (it clears the slot on drop), which is inside the
        // call that lent it.
        let cx = unsafe { std::mem::transmute::<UnitContext<'_>, UnitContext<'static>>(*cx) };
        CURRENT.with(|current| current.set(Some(cx)));
        Printing(())
    }
}

impl Drop for Printing {
    fn drop(&mut self) {
        CURRENT.with(|current| current.set(None));
    }
}

/// Puts the line-by-line writers in front of `sys.stdout` and `sys.stderr`.
pub(crate) fn install(py: Python<'_>, glue: &Bound<'_, PyModule>) -> PyResult<()> {
    let emit = PyCFunction::new_closure(
        py,
        Some(c"emit"),
        None,
        |args: &Bound<'_, PyTuple>, _: Option<&Bound<'_, PyDict>>| -> PyResult<()> {
            let (stream, line): (String, String) = args.extract()?;
            CURRENT.with(|current| {
                if let Some(cx) = current.get() {
                    emit(&cx, &stream, &line);
                }
            });
            Ok(())
        },
    )?;
    glue.getattr("install_output")?.call1((emit,))?;
    Ok(())
}
