//! The glue behind [`export_plugin!`](crate::export_plugin): the `extern "C"`
//! entry points, each of which catches every panic before it can reach the
//! boundary (a panic leaving an `extern "C"` function aborts the whole process).
//!
//! Nothing here is public API; the macro is.

use std::any::Any;
use std::ffi::c_void;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::abi::{
    ABI_VERSION, HostFuture, RUNNER_ERROR, RUNNER_OK, RUNNER_PANIC, RunnerHost, RunnerPlugin, RunnerSink, RunnerStr,
};
use crate::context::UnitContext;
use crate::manifest::{Manifest, WorkloadInfo};
use crate::params::Params;
use crate::workload::{UnitFuture, Workload};

/// What the macro knows about a plugin.
#[derive(Debug)]
pub struct PluginInfo {
    /// Plugin name.
    pub name: &'static str,
    /// Crate version.
    pub version: &'static str,
    /// One line for `runner list`.
    pub description: &'static str,
    /// The workloads.
    pub workloads: &'static [WorkloadEntry],
}

/// One workload type, erased to function pointers.
#[derive(Debug)]
pub struct WorkloadEntry {
    name: &'static str,
    info: fn() -> WorkloadInfo,
    prepare: PrepareFn,
}

/// Makes a type-erased workload instance from its parameters and unit count.
type PrepareFn = fn(&Params, u64) -> Result<Box<dyn ErasedWorkload>, String>;

/// Erases `W` into an entry of the plugin's workload list.
pub const fn entry<W: Workload>() -> WorkloadEntry {
    WorkloadEntry { name: W::NAME, info: info::<W>, prepare: prepare_workload::<W> }
}

/// Implemented by the macro on a private type, so that the entry points can be
/// monomorphic `extern "C"` functions in a `static` table.
pub trait PluginDef {
    /// The plugin's description.
    const INFO: PluginInfo;
}

/// The root table for plugin `P`.
pub const fn vtable<P: PluginDef>() -> RunnerPlugin {
    RunnerPlugin {
        abi_version: ABI_VERSION,
        struct_size: size_of::<RunnerPlugin>() as u32,
        manifest: Some(manifest::<P>),
        prepare: Some(prepare::<P>),
        run_unit: Some(run_unit),
        verify: Some(verify),
        release: Some(release),
        run_unit_async: Some(run_unit_async),
    }
}

/// A workload behind a vtable, so one instance type serves every workload.
pub trait ErasedWorkload: Send + Sync {
    fn run_unit(&self, unit: u64, cx: &UnitContext<'_>) -> Result<String, String>;
    fn run_unit_async<'a>(&'a self, unit: u64, cx: UnitContext<'a>) -> UnitFuture<'a>;
    fn verify(&self, results: &[Option<String>]) -> Result<String, String>;
}

impl<W: Workload> ErasedWorkload for W {
    fn run_unit(&self, unit: u64, cx: &UnitContext<'_>) -> Result<String, String> {
        Workload::run_unit(self, unit, cx)
    }
    fn run_unit_async<'a>(&'a self, unit: u64, cx: UnitContext<'a>) -> UnitFuture<'a> {
        Workload::run_unit_async(self, unit, cx)
    }
    fn verify(&self, results: &[Option<String>]) -> Result<String, String> {
        Workload::verify(self, results)
    }
}

fn info<W: Workload>() -> WorkloadInfo {
    WorkloadInfo {
        name: W::NAME.to_owned(),
        description: W::DESCRIPTION.to_owned(),
        params: W::params(),
        async_units: W::ASYNC,
    }
}

fn prepare_workload<W: Workload>(params: &Params, units: u64) -> Result<Box<dyn ErasedWorkload>, String> {
    Ok(Box::new(W::prepare(params, units)?))
}

unsafe extern "C" fn manifest<P: PluginDef>(host: *const RunnerHost, out: *mut RunnerSink) -> i32 {
    guarded(host, out, || {
        let info = &P::INFO;
        let manifest = Manifest {
            name: info.name.to_owned(),
            version: info.version.to_owned(),
            description: info.description.to_owned(),
            workloads: info.workloads.iter().map(|w| (w.info)()).collect(),
        };
        serde_json::to_string(&manifest).map_err(|e| e.to_string())
    })
}

unsafe extern "C" fn prepare<P: PluginDef>(
    host: *const RunnerHost,
    workload: RunnerStr,
    params_json: RunnerStr,
    units: u64,
    instance: *mut *mut c_void,
    err: *mut RunnerSink,
) -> i32 {
    guarded(host, err, || {
        // SAFETY: the host passes text valid for this call.
        let name = unsafe { workload.as_str() }.map_err(|e| e.to_string())?;
        // SAFETY: as above.
        let params = unsafe { params_json.as_str() }.map_err(|e| e.to_string())?;
        let entry = P::INFO.workloads.iter().find(|w| w.name == name).ok_or_else(|| format!("no workload `{name}`"))?;
        // SAFETY: the host's live table.
        if let Some(dir) = unsafe { crate::context::UnitContext::from_raw(host) }.scratch_dir() {
            let _ = crate::SCRATCH_DIR.set(dir.to_path_buf());
        }
        let made = (entry.prepare)(&Params::from_json(params)?, units)?;
        // SAFETY: the host passes a valid out-pointer.
        unsafe { *instance = Box::into_raw(Box::new(made)).cast() };
        Ok(String::new())
    })
}

unsafe extern "C" fn run_unit(instance: *mut c_void, host: *const RunnerHost, unit: u64, out: *mut RunnerSink) -> i32 {
    guarded(host, out, || {
        // SAFETY: `instance` came from `prepare` and is alive until `release`.
        let workload = unsafe { &*instance.cast::<Box<dyn ErasedWorkload>>() };
        // SAFETY: the host's live table.
        let cx = unsafe { UnitContext::from_raw(host) };
        workload.run_unit(unit, &cx)
    })
}

unsafe extern "C" fn verify(
    instance: *mut c_void,
    host: *const RunnerHost,
    results_json: RunnerStr,
    out: *mut RunnerSink,
) -> i32 {
    guarded(host, out, || {
        // SAFETY: as in `run_unit`.
        let workload = unsafe { &*instance.cast::<Box<dyn ErasedWorkload>>() };
        // SAFETY: the host passes text valid for this call.
        let json = unsafe { results_json.as_str() }.map_err(|e| e.to_string())?;
        let results: Vec<Option<String>> =
            serde_json::from_str(json).map_err(|e| format!("results are not a JSON array: {e}"))?;
        workload.verify(&results)
    })
}

unsafe extern "C" fn run_unit_async(
    instance: *mut c_void,
    host: *const RunnerHost,
    unit: u64,
    out: *mut RunnerSink,
) -> HostFuture {
    // SAFETY: as in `run_unit`; the host keeps the instance, its table and
    // `out` alive until this future completes or is dropped (ABI contract).
    let (workload, cx) = unsafe { (&*instance.cast::<Box<dyn ErasedWorkload>>(), UnitContext::from_raw(host)) };
    let made = catch_unwind(AssertUnwindSafe(|| workload.run_unit_async(unit, cx)));
    let future = async move {
        let outcome = match made {
            Ok(future) => CatchUnwind(future).await,
            Err(payload) => Err(payload),
        };
        // The host's sink stays alive until this future completes.
        report(host, out, outcome)
    };
    let future = async_ffi::LocalBorrowingFfiFuture::new(future);
    // SAFETY: only the lifetime marker changes; the ABI contract above is what
    // keeps the borrowed instance and host alive.
    unsafe { std::mem::transmute::<async_ffi::LocalBorrowingFfiFuture<'_, i32>, HostFuture>(future) }
}

/// Polls a future inside `catch_unwind`, so a panicking unit becomes a status.
struct CatchUnwind<F>(F);

impl<F: Future + Unpin> Future for CatchUnwind<F> {
    type Output = Result<F::Output, Box<dyn Any + Send>>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match catch_unwind(AssertUnwindSafe(|| Pin::new(&mut self.0).poll(cx))) {
            Ok(Poll::Ready(value)) => Poll::Ready(Ok(value)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(payload) => Poll::Ready(Err(payload)),
        }
    }
}

unsafe extern "C" fn release(instance: *mut c_void) {
    if instance.is_null() {
        return;
    }
    // A panicking Drop must not unwind into the host; the instance is then leaked.
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: made by `Box::into_raw` in `prepare`, released once.
        drop(unsafe { Box::from_raw(instance.cast::<Box<dyn ErasedWorkload>>()) });
    }));
}

/// Runs `body`, writes its text (or error, or panic message) to `out` and returns
/// the matching status. Nothing unwinds past this function.
fn guarded(host: *const RunnerHost, out: *mut RunnerSink, body: impl FnOnce() -> Result<String, String>) -> i32 {
    report(host, out, catch_unwind(AssertUnwindSafe(body)))
}

/// Writes an outcome's text to `out` and returns its status.
fn report(host: *const RunnerHost, out: *mut RunnerSink, outcome: std::thread::Result<Result<String, String>>) -> i32 {
    let (status, text) = match outcome {
        Ok(Ok(text)) => (RUNNER_OK, text),
        Ok(Err(message)) => (RUNNER_ERROR, message),
        Err(payload) => (RUNNER_PANIC, panic_message(payload)),
    };
    if !text.is_empty() {
        // SAFETY: `host` and `out` are the host's, valid for this call.
        unsafe { ((*host).sink_write)(out, text.as_ptr(), text.len()) };
    }
    status
}

fn panic_message(payload: Box<dyn Any + Send>) -> String {
    let message = if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panicked with a non-text payload".to_owned()
    };
    // A payload whose Drop panics would unwind from here; contain it.
    let _ = catch_unwind(AssertUnwindSafe(move || drop(payload)));
    message
}
