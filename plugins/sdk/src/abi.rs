//! The C ABI between the `runner` host and a plugin library: plain `#[repr(C)]`
//! structs and `extern "C"` function pointers, nothing else.
//!
//! Why C and not Rust types: Rust has no stable ABI between separately built
//! libraries, and every cdylib carries its own copy of std. Only C layouts and
//! C calling conventions are safe to share, and they let a plugin be written in C
//! too (`include/runner_plugin.h` mirrors this file; keep the two in step).
//!
//! # Versioning
//! A plugin exports the data symbol [`ABI_VERSION_SYMBOL`] (a `u32`) and the root
//! function [`ROOT_SYMBOL`]. The host reads the version *before* calling anything:
//! a different major version is refused with both numbers in the message.
//! Within one version, structs only grow at the end; each starts with
//! `abi_version` and `struct_size`, so either side can tell whether a later field
//! exists before it touches it.
//!
//! # Ownership
//! Text crosses the boundary as [`RunnerStr`] (borrowed, UTF-8, not NUL-terminated,
//! valid only for the call). Output goes into a host-owned [`RunnerSink`] through
//! [`RunnerHost::sink_write`], so no allocation is ever freed by the other side.
//!
//! # Panics
//! An unwinding panic must never leave an `extern "C"` function: it aborts the
//! process. The SDK's [`export_plugin!`](crate::export_plugin) catches every panic
//! and returns [`RUNNER_PANIC`] with the message in the sink.

use std::ffi::c_void;

/// The ABI version this SDK speaks. Bumped only for incompatible changes.
pub const ABI_VERSION: u32 = 1;

/// Name of the exported `u32` data symbol holding the plugin's ABI version.
pub const ABI_VERSION_SYMBOL: &str = "runner_abi_version";

/// Name of the exported root function: `const RunnerPlugin *runner_plugin(void)`.
pub const ROOT_SYMBOL: &str = "runner_plugin";

/// Status code: the call succeeded (for `verify`: the results verified).
pub const RUNNER_OK: i32 = 0;
/// Status code: the call failed; the sink holds the message (for `verify`: why the
/// results did not verify).
pub const RUNNER_ERROR: i32 = 1;
/// Status code: the plugin panicked; the sink holds the panic message.
pub const RUNNER_PANIC: i32 = 2;
/// Status code returned by host IO functions that this host does not provide.
pub const RUNNER_UNSUPPORTED: i32 = 3;

/// Borrowed UTF-8 text, valid for the duration of one call.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct RunnerStr {
    /// First byte; may be dangling when `len` is 0.
    pub ptr: *const u8,
    /// Length in bytes.
    pub len: usize,
}

impl RunnerStr {
    /// Borrows `s` for one call across the boundary.
    pub fn new(s: &str) -> Self {
        Self { ptr: s.as_ptr(), len: s.len() }
    }

    /// Reads the text back.
    ///
    /// # Safety
    /// `ptr` must point to `len` readable bytes that outlive `'a`.
    pub unsafe fn as_str<'a>(&self) -> Result<&'a str, std::str::Utf8Error> {
        if self.len == 0 {
            return Ok("");
        }
        // SAFETY: the caller guarantees `ptr..ptr+len` is readable for 'a.
        let bytes = unsafe { std::slice::from_raw_parts(self.ptr, self.len) };
        std::str::from_utf8(bytes)
    }
}

/// A host-owned output buffer. Opaque to plugins: write into it with
/// [`RunnerHost::sink_write`].
#[repr(C)]
#[derive(Debug)]
pub struct RunnerSink {
    _private: [u8; 0],
}

/// What the host offers a plugin on every call: output, cooperation with the
/// simulated interpreter lock, event reporting and IO.
///
/// One `RunnerHost` is made per worker (thread or process), so `data` tells the
/// host which worker is calling. Fields after `struct_size` may be added at the
/// end in later minor versions; check `struct_size` before reading a newer field
/// (the SDK's [`UnitContext`](crate::UnitContext) does).
#[repr(C)]
#[derive(Debug)]
pub struct RunnerHost {
    /// [`ABI_VERSION`] of the host.
    pub abi_version: u32,
    /// `size_of::<RunnerHost>()` as the host built it.
    pub struct_size: u32,
    /// Opaque host data; pass it back to every function below.
    pub data: *mut c_void,
    /// Appends `len` bytes to `sink`.
    pub sink_write: unsafe extern "C" fn(sink: *mut RunnerSink, ptr: *const u8, len: usize),
    /// Call every few microseconds of CPU work. Under the simulated interpreter
    /// lock this is where a thread may hand the lock to another; otherwise it costs
    /// one load of an atomic.
    pub checkpoint: unsafe extern "C" fn(data: *mut c_void),
    /// Reports a custom event (`name`, JSON `detail`) on the run's event stream.
    pub emit: unsafe extern "C" fn(data: *mut c_void, name: RunnerStr, detail_json: RunnerStr),
    /// Blocking sleep of `nanos`. Releases the simulated interpreter lock while it
    /// sleeps, as CPython's `time.sleep` releases the GIL. Returns [`RUNNER_OK`].
    pub sleep: unsafe extern "C" fn(data: *mut c_void, nanos: u64) -> i32,
    /// Announces that the unit is about to block on something another worker
    /// must release (a barrier, a channel, a lock of its own): releases the
    /// simulated interpreter lock, as CPython's `Py_BEGIN_ALLOW_THREADS` does.
    /// Always pair with `blocking_end` on the same thread.
    pub blocking_begin: unsafe extern "C" fn(data: *mut c_void),
    /// Ends a `blocking_begin` section: takes the simulated lock back.
    pub blocking_end: unsafe extern "C" fn(data: *mut c_void),
    /// Index of the calling worker (thread or process), `0..workers`.
    pub worker: u32,
    /// How many workers this run has (1 for `sequential`).
    pub workers: u32,
    /// Ends the whole run now as failed, with `message` as its cause: for a
    /// unit that finds the run cannot finish (a deadlock it detected). Does
    /// not return.
    pub fail_run: unsafe extern "C" fn(data: *mut c_void, message: RunnerStr),
    /// Blocking HTTP GET of `url`: stores the status in `*status` and writes the
    /// body to `body`; on a transport error returns [`RUNNER_ERROR`] with the
    /// message in `body`. Releases the simulated interpreter lock meanwhile.
    pub http_get:
        unsafe extern "C" fn(data: *mut c_void, url: RunnerStr, status: *mut u16, body: *mut RunnerSink) -> i32,
    /// Async sleep on the host's runtime (only valid inside `run_unit_async`).
    pub sleep_async: unsafe extern "C" fn(data: *mut c_void, nanos: u64) -> HostFuture,
    /// Async HTTP GET on the host's runtime (only valid inside
    /// `run_unit_async`); `status` and `body` must stay valid until the future
    /// completes. Same results as `http_get`.
    pub http_get_async:
        unsafe extern "C" fn(data: *mut c_void, url: RunnerStr, status: *mut u16, body: *mut RunnerSink) -> HostFuture,
    /// A private directory (mode 0700) for this run's files, made by the runner
    /// before the run and removed by it afterwards, however the run ended
    /// (crash, timeout, Ctrl-C): a plugin needs no cleanup of its own. Valid for
    /// the whole run; empty when describing a plugin.
    pub scratch_dir: RunnerStr,
    /// A new empty host-owned sink, for a plugin that needs one of its own (the
    /// `body` of `http_get`). Free it with `sink_free`. Since `struct_size`
    /// covers it (check before use; [`UnitContext`](crate::UnitContext) does).
    pub sink_new: unsafe extern "C" fn() -> *mut RunnerSink,
    /// The bytes written to `sink` so far: stores their length in `*len` and
    /// returns the first byte (valid until the next write to or free of it).
    pub sink_bytes: unsafe extern "C" fn(sink: *const RunnerSink, len: *mut usize) -> *const u8,
    /// Frees a sink made by `sink_new` (NULL is ignored).
    pub sink_free: unsafe extern "C" fn(sink: *mut RunnerSink),
}

impl RunnerHost {
    /// Whether the host's table is long enough to hold a field that ends
    /// `end` bytes into it (`offset_of!` + size): a field added in a later
    /// minor version is absent from an older host's table.
    pub fn has_field(&self, end: usize) -> bool {
        self.struct_size as usize >= end
    }
}

/// A future across the boundary (`async_ffi`'s `#[repr(C)]` layout: a
/// pointer, a poll function and a drop function) resolving to a status code.
/// Rust only: C plugins leave `run_unit_async` NULL and never call the async
/// host functions.
pub type HostFuture = async_ffi::LocalFfiFuture<i32>;

/// Writes the plugin's manifest (JSON, see [`Manifest`](crate::Manifest)) to `out`.
pub type ManifestFn = unsafe extern "C" fn(host: *const RunnerHost, out: *mut RunnerSink) -> i32;

/// Makes a workload instance for `units` units with `params_json` (an object
/// holding every declared parameter, defaults filled in). On success stores an
/// opaque pointer in `*instance`; on failure writes the reason to `err`.
pub type PrepareFn = unsafe extern "C" fn(
    host: *const RunnerHost,
    workload: RunnerStr,
    params_json: RunnerStr,
    units: u64,
    instance: *mut *mut c_void,
    err: *mut RunnerSink,
) -> i32;

/// Runs unit `unit` (0-based). Called concurrently from several threads with
/// the same instance. Writes the unit's result (text, JSON by convention) or
/// its error message to `out`.
pub type RunUnitFn =
    unsafe extern "C" fn(instance: *mut c_void, host: *const RunnerHost, unit: u64, out: *mut RunnerSink) -> i32;

/// Checks all results: `results_json` is a JSON array with one entry per
/// unit, the unit's output as a string or `null` where the unit failed.
/// [`RUNNER_OK`] means verified; [`RUNNER_ERROR`] means not verified. Either
/// way `out` gets a one-line explanation.
///
/// # The figures channel
/// The explanation may instead be a JSON object
/// `{"message": "…", "figures": {"name": number, …}}`: the host shows
/// `message` as the verdict and keeps each figure for `[report]` tables and
/// `figure("name", "label")` expectations (see [`with_figures`](crate::with_figures)).
/// Figures are reported by the plugin, and reports say so.
pub type VerifyFn = unsafe extern "C" fn(
    instance: *mut c_void,
    host: *const RunnerHost,
    results_json: RunnerStr,
    out: *mut RunnerSink,
) -> i32;

/// Frees an instance made by `prepare`.
pub type ReleaseFn = unsafe extern "C" fn(instance: *mut c_void);

/// The async form of [`RunUnitFn`]: returns a future that runs the unit on the
/// host's runtime (for the `async` strategies) and resolves to its status;
/// `out` stays valid until it completes.
pub type RunUnitAsyncFn =
    unsafe extern "C" fn(instance: *mut c_void, host: *const RunnerHost, unit: u64, out: *mut RunnerSink) -> HostFuture;

/// The plugin's root table, returned by the [`ROOT_SYMBOL`] function.
///
/// Every function returns [`RUNNER_OK`], [`RUNNER_ERROR`] or [`RUNNER_PANIC`] and
/// never unwinds. The entries are `Option`s only so that the host can refuse a
/// table with a NULL entry (possible from C) instead of calling address 0; a
/// valid plugin fills every one.
#[repr(C)]
#[derive(Debug)]
pub struct RunnerPlugin {
    /// [`ABI_VERSION`] the plugin was built against.
    pub abi_version: u32,
    /// `size_of::<RunnerPlugin>()` as the plugin built it.
    pub struct_size: u32,
    /// See [`ManifestFn`].
    pub manifest: Option<ManifestFn>,
    /// See [`PrepareFn`].
    pub prepare: Option<PrepareFn>,
    /// See [`RunUnitFn`].
    pub run_unit: Option<RunUnitFn>,
    /// See [`VerifyFn`].
    pub verify: Option<VerifyFn>,
    /// See [`ReleaseFn`].
    pub release: Option<ReleaseFn>,
    /// See [`RunUnitAsyncFn`]. NULL when no workload of the plugin has an
    /// async form (the manifest says which have one).
    pub run_unit_async: Option<RunUnitAsyncFn>,
}

// SAFETY: the table only holds function pointers and plain integers.
unsafe impl Sync for RunnerPlugin {}
