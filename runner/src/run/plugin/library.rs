//! A loaded plugin library and safe calls into its table. Used only inside a
//! run's child process (see the module docs of [`crate::run::plugin`]).

use std::ffi::c_void;
use std::path::{Path, PathBuf};

use runner_sdk::Manifest;
use runner_sdk::abi::{
    ABI_VERSION, ABI_VERSION_SYMBOL, ManifestFn, PrepareFn, ROOT_SYMBOL, RUNNER_OK, RUNNER_PANIC, ReleaseFn,
    RunUnitAsyncFn, RunUnitFn, RunnerHost, RunnerPlugin, RunnerSink, RunnerStr, VerifyFn,
};

use crate::protocol::LoadError;

/// A plugin whose ABI version and table have been checked.
#[derive(Debug)]
pub(crate) struct Plugin {
    path: PathBuf,
    entries: Entries,
}

/// The plugin's entry points, each checked to be non-NULL.
#[derive(Debug, Clone, Copy)]
struct Entries {
    manifest: ManifestFn,
    prepare: PrepareFn,
    run_unit: RunUnitFn,
    verify: VerifyFn,
    release: ReleaseFn,
    run_unit_async: Option<RunUnitAsyncFn>,
}

/// A failed call into the plugin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CallError {
    /// The plugin returned an error with this message.
    Failed(String),
    /// The plugin panicked (caught by its SDK) with this message.
    Panicked(String),
}

/// What one unit returned.
pub(crate) type UnitResult = Result<String, CallError>;

impl Plugin {
    /// Loads the library at `path` and checks it before calling anything in it:
    /// the ABI version symbol first, then the root table's version and size.
    ///
    /// The library is never unloaded: code or thread-locals of a plugin may
    /// still be referenced until the process exits.
    pub(crate) fn open(path: &Path) -> Result<Plugin, LoadError> {
        if !path.is_file() {
            return Err(LoadError::MissingFile { path: path.to_owned() });
        }
        // SAFETY: loading runs the library's initialisers. That is the point of
        // a plugin; it happens only in a disposable child process.
        let library = unsafe { libloading::Library::new(path) }
            .map_err(|e| LoadError::NotALibrary { path: path.to_owned(), reason: e.to_string() })?;
        let library: &'static libloading::Library = Box::leak(Box::new(library));
        let missing = |symbol: &str| LoadError::MissingSymbol { path: path.to_owned(), symbol: symbol.to_owned() };

        // SAFETY: the symbol is documented as a `u32` data symbol.
        let version = unsafe { library.get::<*const u32>(ABI_VERSION_SYMBOL.as_bytes()) }
            .map_err(|_| missing(ABI_VERSION_SYMBOL))?;
        // SAFETY: a data symbol's address points at its value.
        let version = unsafe { std::ptr::read_volatile(*version) };
        if version != ABI_VERSION {
            return Err(LoadError::AbiMismatch { path: path.to_owned(), plugin: version, host: ABI_VERSION });
        }

        // SAFETY: the version matched, so the root symbol has this signature.
        let root = unsafe { library.get::<extern "C" fn() -> *const RunnerPlugin>(ROOT_SYMBOL.as_bytes()) }
            .map_err(|_| missing(ROOT_SYMBOL))?;
        let table = root();
        let bad = |reason: String| LoadError::BadTable { path: path.to_owned(), reason };
        if table.is_null() {
            return Err(bad(format!("`{ROOT_SYMBOL}()` returned null")));
        }
        // SAFETY: non-null, and the library is never unloaded.
        let table: &'static RunnerPlugin = unsafe { &*table };
        if table.abi_version != ABI_VERSION {
            return Err(LoadError::AbiMismatch { path: path.to_owned(), plugin: table.abi_version, host: ABI_VERSION });
        }
        // Entries up to `release` are required; later ones are optional and
        // read only when the plugin's table is large enough to have them.
        let required = std::mem::offset_of!(RunnerPlugin, run_unit_async);
        let size = table.struct_size as usize;
        if size < required {
            return Err(bad(format!("table is {size} bytes, version {ABI_VERSION} needs at least {required}")));
        }
        let has = |end: usize| size >= end;
        let null = |name: &str| bad(format!("entry `{name}` is NULL"));
        let entries = Entries {
            manifest: table.manifest.ok_or_else(|| null("manifest"))?,
            prepare: table.prepare.ok_or_else(|| null("prepare"))?,
            run_unit: table.run_unit.ok_or_else(|| null("run_unit"))?,
            verify: table.verify.ok_or_else(|| null("verify"))?,
            release: table.release.ok_or_else(|| null("release"))?,
            run_unit_async: if has(std::mem::offset_of!(RunnerPlugin, run_unit_async) + size_of::<usize>()) {
                table.run_unit_async
            } else {
                None
            },
        };
        Ok(Plugin { path: path.to_owned(), entries })
    }

    /// The plugin's self-description.
    pub(crate) fn manifest(&self, host: &RunnerHost) -> Result<Manifest, LoadError> {
        let mut out = Vec::new();
        // SAFETY: valid host table and sink for the duration of the call.
        let status = unsafe { (self.entries.manifest)(host, sink(&mut out)) };
        let text = String::from_utf8_lossy(&out).into_owned();
        match status {
            RUNNER_OK => serde_json::from_str(&text).map_err(|e| LoadError::BadTable {
                path: self.path.clone(),
                reason: format!("manifest is not valid: {e}"),
            }),
            RUNNER_PANIC => Err(LoadError::PanickedInInit { path: self.path.clone(), message: text }),
            _ => Err(LoadError::CrashedInInit { path: self.path.clone(), cause: text }),
        }
    }

    /// Prepares `workload` for `units` units.
    pub(crate) fn prepare(
        &self,
        host: &RunnerHost,
        workload: &str,
        params_json: &str,
        units: u64,
    ) -> Result<Instance, CallError> {
        let mut err = Vec::new();
        let mut instance: *mut c_void = std::ptr::null_mut();
        // SAFETY: valid strings, host table, out-pointer and sink for the call.
        let status = unsafe {
            (self.entries.prepare)(
                host,
                RunnerStr::new(workload),
                RunnerStr::new(params_json),
                units,
                &mut instance,
                sink(&mut err),
            )
        };
        match status {
            RUNNER_OK if !instance.is_null() => Ok(Instance { entries: self.entries, ptr: instance }),
            RUNNER_OK => Err(CallError::Failed("`prepare` succeeded but returned no instance".into())),
            other => Err(call_error(other, err)),
        }
    }
}

/// A prepared workload instance, shared by every worker of a run.
#[derive(Debug)]
pub(crate) struct Instance {
    entries: Entries,
    ptr: *mut c_void,
}

// SAFETY: the ABI requires `run_unit` and `verify` to be callable from any
// thread concurrently with the same instance (the SDK enforces `Send + Sync`).
unsafe impl Send for Instance {}
// SAFETY: as above.
unsafe impl Sync for Instance {}

impl Instance {
    /// Runs one unit.
    pub(crate) fn run_unit(&self, host: &RunnerHost, unit: u64) -> UnitResult {
        let mut out = Vec::new();
        // SAFETY: live instance, valid host table and sink for the call.
        let status = unsafe { (self.entries.run_unit)(self.ptr, host, unit, sink(&mut out)) };
        match status {
            RUNNER_OK => Ok(String::from_utf8_lossy(&out).into_owned()),
            other => Err(call_error(other, out)),
        }
    }

    /// Runs one unit's async form. The future borrows the instance and `host`
    /// and keeps its output buffer in its own (pinned) state, which is what the
    /// ABI asks: all stay valid until the plugin's future completes.
    pub(crate) async fn run_unit_async(&self, host: &RunnerHost, unit: u64) -> UnitResult {
        let Some(run_unit_async) = self.entries.run_unit_async else {
            return Err(CallError::Failed("the plugin has no async form of its units".into()));
        };
        let mut out = Vec::new();
        // SAFETY: live instance and host table; `out` lives in this future's
        // pinned state until the plugin's future has completed below.
        let future = unsafe { run_unit_async(self.ptr, host, unit, sink(&mut out)) };
        let status = future.await;
        match status {
            RUNNER_OK => Ok(String::from_utf8_lossy(&out).into_owned()),
            other => Err(call_error(other, out)),
        }
    }

    /// Asks the plugin whether the results are right: `Ok(explanation)` when
    /// verified, `Err` when not (or when verification itself failed).
    pub(crate) fn verify(&self, host: &RunnerHost, results: &[Option<String>]) -> Result<String, CallError> {
        let json = serde_json::to_string(results).unwrap_or_else(|_| "[]".to_owned());
        let mut out = Vec::new();
        // SAFETY: as in `run_unit`.
        let status = unsafe { (self.entries.verify)(self.ptr, host, RunnerStr::new(&json), sink(&mut out)) };
        match status {
            RUNNER_OK => Ok(String::from_utf8_lossy(&out).into_owned()),
            other => Err(call_error(other, out)),
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        // SAFETY: made by this table's `prepare`, released exactly once.
        unsafe { (self.entries.release)(self.ptr) }
    }
}

fn sink(buffer: &mut Vec<u8>) -> *mut RunnerSink {
    std::ptr::from_mut(buffer).cast()
}

fn call_error(status: i32, message: Vec<u8>) -> CallError {
    let message = String::from_utf8_lossy(&message).into_owned();
    if status == RUNNER_PANIC { CallError::Panicked(message) } else { CallError::Failed(message) }
}
