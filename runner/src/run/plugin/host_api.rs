//! The host side of [`RunnerHost`]: the functions a plugin may call back into.
//!
//! Each worker gets its own `RunnerHost` whose `data` points at that worker's
//! [`WorkerHooks`], so a checkpoint knows which thread is asking for the
//! simulated interpreter lock. None of these functions may panic: a panic here
//! would unwind through the plugin's frames and abort the process.

use std::ffi::c_void;
use std::time::Duration;

use runner_sdk::abi::{ABI_VERSION, HostFuture, RUNNER_ERROR, RUNNER_OK, RunnerHost, RunnerSink, RunnerStr};

use crate::run::io::HttpResult;

/// The run's scratch directory, set once by the run's process before any
/// plugin call (see `set_scratch_dir`).
static SCRATCH_DIR: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Sets the directory every host table of this process hands to the plugin.
pub(crate) fn set_scratch_dir(dir: &std::path::Path) {
    let _ = SCRATCH_DIR.set(dir.display().to_string());
}

/// What a worker does when the plugin calls back. Implemented by the run's
/// worker state (see `crate::run`).
pub(crate) trait WorkerHooks: Sync {
    /// The unit reached a checkpoint.
    fn checkpoint(&self);
    /// The unit wants to sleep (blocking IO).
    fn sleep(&self, duration: Duration);
    /// The unit reports a custom event.
    fn emit(&self, name: &str, detail: serde_json::Value);
    /// The unit is about to block on another worker.
    fn blocking_begin(&self);
    /// The unit stopped blocking.
    fn blocking_end(&self);
    /// The unit ends the run: report `message`, then end the process.
    fn fail_run(&self, message: &str) -> !;
    /// A blocking GET: IO, so it releases the simulated lock.
    fn http_get(&self, url: &str) -> HttpResult {
        self.blocking_begin();
        let result = crate::run::io::blocking::http_get(url);
        self.blocking_end();
        result
    }
}

/// Hooks that do nothing special: for describing and preparing a plugin, and
/// for verification, where no worker is involved.
#[derive(Debug)]
pub(crate) struct NoHooks;

impl WorkerHooks for NoHooks {
    fn checkpoint(&self) {}
    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }
    fn emit(&self, _name: &str, _detail: serde_json::Value) {}
    fn blocking_begin(&self) {}
    fn blocking_end(&self) {}
    fn fail_run(&self, message: &str) -> ! {
        eprintln!("the plugin ended the run: {message}");
        // SAFETY: ends the process at once, as the ABI promises.
        unsafe { nix::libc::_exit(crate::protocol::RUN_ABORTED_EXIT) }
    }
}

/// A `RunnerHost` table bound to one worker's hooks.
///
/// Holds a pointer to a `&dyn WorkerHooks` (a thin pointer to a fat one, so it
/// fits in `data`); `'a` keeps the hooks alive as long as the table.
#[derive(Debug)]
pub(crate) struct HostApi<'a> {
    table: RunnerHost,
    _hooks: std::marker::PhantomData<&'a dyn WorkerHooks>,
}

impl<'a> HostApi<'a> {
    /// Binds a table to `hooks`. `hooks` is a reference to a reference so that
    /// its address is thin and stays put while the table lives.
    pub(crate) fn new(hooks: &'a &'a dyn WorkerHooks, worker: u32, workers: u32) -> HostApi<'a> {
        let table = RunnerHost {
            abi_version: ABI_VERSION,
            struct_size: size_of::<RunnerHost>() as u32,
            data: std::ptr::from_ref(hooks).cast_mut().cast(),
            sink_write,
            checkpoint,
            emit,
            sleep,
            blocking_begin,
            blocking_end,
            worker,
            workers,
            fail_run,
            http_get,
            sleep_async,
            http_get_async,
            scratch_dir: RunnerStr::new(SCRATCH_DIR.get().map_or("", String::as_str)),
            sink_new,
            sink_bytes,
            sink_free,
        };
        HostApi { table, _hooks: std::marker::PhantomData }
    }

    /// A table whose hooks do nothing special, for a run of `workers` workers
    /// (0 when describing a plugin).
    pub(crate) fn plain(workers: u32) -> HostApi<'static> {
        static NO_HOOKS: &dyn WorkerHooks = &NoHooks;
        HostApi::new(&NO_HOOKS, 0, workers)
    }

    /// The raw table to pass to the plugin.
    pub(crate) fn raw(&self) -> &RunnerHost {
        &self.table
    }
}

// SAFETY (all below): `data` is the `&&dyn WorkerHooks` stored by `HostApi::new`,
// alive for as long as the plugin may use the table.
fn hooks<'a>(data: *mut c_void) -> &'a dyn WorkerHooks {
    unsafe { *data.cast::<&dyn WorkerHooks>() }
}

unsafe extern "C" fn sink_write(sink: *mut RunnerSink, ptr: *const u8, len: usize) {
    if sink.is_null() || (ptr.is_null() && len > 0) {
        return;
    }
    // SAFETY: every sink the host hands out is a `Vec<u8>` it owns for the call.
    let buffer = unsafe { &mut *sink.cast::<Vec<u8>>() };
    if len > 0 {
        // SAFETY: the plugin promises `len` readable bytes at `ptr`.
        buffer.extend_from_slice(unsafe { std::slice::from_raw_parts(ptr, len) });
    }
}

/// Every sink is a `Vec<u8>` the host owns: the ones it passes into calls,
/// and these, which a plugin asks for (C cannot make a Rust `Vec`).
unsafe extern "C" fn sink_new() -> *mut RunnerSink {
    Box::into_raw(Box::new(Vec::<u8>::new())).cast()
}

unsafe extern "C" fn sink_bytes(sink: *const RunnerSink, len: *mut usize) -> *const u8 {
    if sink.is_null() {
        return std::ptr::null();
    }
    // SAFETY: a sink made by `sink_new` (or passed into the call), not yet freed.
    let buffer = unsafe { &*sink.cast::<Vec<u8>>() };
    if !len.is_null() {
        // SAFETY: the plugin passes a writable `usize`.
        unsafe { *len = buffer.len() };
    }
    buffer.as_ptr()
}

unsafe extern "C" fn sink_free(sink: *mut RunnerSink) {
    if !sink.is_null() {
        // SAFETY: made by `sink_new` through `Box::into_raw`, freed once.
        drop(unsafe { Box::from_raw(sink.cast::<Vec<u8>>()) });
    }
}

unsafe extern "C" fn checkpoint(data: *mut c_void) {
    hooks(data).checkpoint();
}

unsafe extern "C" fn sleep(data: *mut c_void, nanos: u64) -> i32 {
    hooks(data).sleep(Duration::from_nanos(nanos));
    RUNNER_OK
}

unsafe extern "C" fn emit(data: *mut c_void, name: RunnerStr, detail_json: RunnerStr) {
    // SAFETY: the plugin passes text valid for this call; bad UTF-8 is dropped.
    let (Ok(name), Ok(detail)) = (unsafe { name.as_str() }, unsafe { detail_json.as_str() }) else {
        return;
    };
    let detail = serde_json::from_str(detail).unwrap_or_else(|_| serde_json::Value::String(detail.to_owned()));
    hooks(data).emit(name, detail);
}

unsafe extern "C" fn blocking_begin(data: *mut c_void) {
    hooks(data).blocking_begin();
}

unsafe extern "C" fn blocking_end(data: *mut c_void) {
    hooks(data).blocking_end();
}

unsafe extern "C" fn fail_run(data: *mut c_void, message: RunnerStr) {
    // SAFETY: the plugin passes text valid for this call.
    let message = unsafe { message.as_str() }.unwrap_or("(not UTF-8)");
    hooks(data).fail_run(message);
}

unsafe extern "C" fn http_get(data: *mut c_void, url: RunnerStr, status: *mut u16, body: *mut RunnerSink) -> i32 {
    // SAFETY: the plugin passes text valid for this call.
    let result = match unsafe { url.as_str() } {
        Ok(url) => hooks(data).http_get(url),
        Err(_) => Err("the URL is not UTF-8".to_owned()),
    };
    // SAFETY: the plugin's out-pointers, valid for this call.
    unsafe { deliver(result, status, body) }
}

unsafe extern "C" fn sleep_async(_data: *mut c_void, nanos: u64) -> HostFuture {
    async_ffi::LocalBorrowingFfiFuture::new(async move {
        crate::run::io::asynchronous::sleep(Duration::from_nanos(nanos)).await;
        RUNNER_OK
    })
}

unsafe extern "C" fn http_get_async(
    _data: *mut c_void,
    url: RunnerStr,
    status: *mut u16,
    body: *mut RunnerSink,
) -> HostFuture {
    // SAFETY: the plugin passes text valid for this call; copied at once.
    let url = unsafe { url.as_str() }.map(str::to_owned).map_err(|_| "the URL is not UTF-8".to_owned());
    async_ffi::LocalBorrowingFfiFuture::new(async move {
        let result = match url {
            Ok(url) => crate::run::io::asynchronous::http_get(url).await,
            Err(e) => Err(e),
        };
        // SAFETY: the ABI keeps `status` and `body` valid until this future completes.
        unsafe { deliver(result, status, body) }
    })
}

/// Writes a response (or the error message) to the plugin's out-pointers.
///
/// # Safety
/// `status` and `body` must be valid (or null).
unsafe fn deliver(result: HttpResult, status: *mut u16, body: *mut RunnerSink) -> i32 {
    let (code, bytes) = match result {
        Ok((code, bytes)) => {
            if !status.is_null() {
                // SAFETY: the caller's contract.
                unsafe { *status = code };
            }
            (RUNNER_OK, bytes)
        }
        Err(message) => (RUNNER_ERROR, message.into_bytes()),
    };
    // SAFETY: the caller's contract; `sink_write` checks for null.
    unsafe { sink_write(body, bytes.as_ptr(), bytes.len()) };
    code
}
