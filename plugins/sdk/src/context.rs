//! The safe face of [`RunnerHost`] that a unit sees.

use std::mem::offset_of;
use std::time::Duration;

use crate::abi::{RUNNER_OK, RunnerHost, RunnerSink, RunnerStr};

/// A response to [`UnitContext::http_get`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The HTTP status code.
    pub status: u16,
    /// The body.
    pub body: Vec<u8>,
}

/// What a running unit may ask of the host.
///
/// The same code runs under every strategy: the host decides whether
/// [`checkpoint`](Self::checkpoint) may hand the simulated interpreter lock to
/// another thread and how [`sleep`](Self::sleep) is carried out.
#[derive(Debug, Clone, Copy)]
pub struct UnitContext<'a> {
    host: &'a RunnerHost,
}

impl<'a> UnitContext<'a> {
    /// Wraps the host table passed to an entry point.
    ///
    /// # Safety
    /// `host` must be the valid table the host passed to this call.
    pub unsafe fn from_raw(host: *const RunnerHost) -> Self {
        // SAFETY: the caller passes the host's own, live table.
        Self { host: unsafe { &*host } }
    }

    /// Lets the simulated interpreter lock switch threads here. Call it every few
    /// thousand iterations of a CPU loop; without the lock it is one atomic load.
    #[inline]
    pub fn checkpoint(&self) {
        // SAFETY: the function and its data come from the host's live table.
        unsafe { (self.host.checkpoint)(self.host.data) }
    }

    /// Sleeps, releasing the simulated interpreter lock meanwhile.
    pub fn sleep(&self, duration: Duration) {
        let nanos = u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX);
        // SAFETY: as above.
        unsafe { (self.host.sleep)(self.host.data, nanos) };
    }

    /// Runs `wait` with the simulated interpreter lock released: for a unit
    /// that blocks on something another worker must do (a barrier, a channel,
    /// a lock of its own), which would otherwise wait forever for a worker that
    /// waits for the interpreter lock. CPython's `Py_BEGIN_ALLOW_THREADS`.
    pub fn blocking<T>(&self, wait: impl FnOnce() -> T) -> T {
        struct Reacquire<'a>(&'a RunnerHost);
        impl Drop for Reacquire<'_> {
            fn drop(&mut self) {
                // SAFETY: as above; pairs with the `blocking_begin` below.
                unsafe { (self.0.blocking_end)(self.0.data) }
            }
        }
        // SAFETY: as above.
        unsafe { (self.host.blocking_begin)(self.host.data) };
        let _reacquire = Reacquire(self.host);
        wait()
    }

    /// Blocking HTTP GET through the host (releases the simulated interpreter
    /// lock while it waits). `Err` is a transport failure (refused, reset,
    /// closed without an answer), with its message.
    pub fn http_get(&self, url: &str) -> Result<HttpResponse, String> {
        let mut status = 0u16;
        let body = HostSink::new(self.host);
        // SAFETY: the host's live table; `status` and `body` outlive the call.
        let code = unsafe { (self.host.http_get)(self.host.data, RunnerStr::new(url), &mut status, body.raw()) };
        response(code, status, body.into_bytes())
    }

    /// Sleeps on the host's runtime: for `run_unit_async` only.
    pub async fn sleep_async(&self, duration: Duration) {
        let nanos = u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX);
        // SAFETY: the host's live table.
        let future = unsafe { (self.host.sleep_async)(self.host.data, nanos) };
        future.await;
    }

    /// HTTP GET on the host's runtime: for `run_unit_async` only.
    pub async fn http_get_async(&self, url: &str) -> Result<HttpResponse, String> {
        let mut status = 0u16;
        let body = HostSink::new(self.host);
        // SAFETY: the host's live table; `status` and `body` live in this
        // future's state, which outlives the host's future (awaited here).
        let future =
            unsafe { (self.host.http_get_async)(self.host.data, RunnerStr::new(url), &mut status, body.raw()) };
        let code = future.await;
        response(code, status, body.into_bytes())
    }

    /// This run's private directory for files (removed by the runner after the
    /// run, whatever happens), or `None` when the runner gave none.
    pub fn scratch_dir(&self) -> Option<&'a std::path::Path> {
        if !self.host.has_field(offset_of!(RunnerHost, scratch_dir) + size_of::<RunnerStr>()) {
            return None;
        }
        // SAFETY: the host keeps the text alive for the whole run.
        let text = unsafe { self.host.scratch_dir.as_str() }.ok()?;
        (!text.is_empty()).then(|| std::path::Path::new(text))
    }

    /// Index of the worker running this unit, `0..workers()`.
    pub fn worker(&self) -> u32 {
        self.host.worker
    }

    /// How many workers the run has (threads, processes or pool threads).
    pub fn workers(&self) -> u32 {
        self.host.workers
    }

    /// Ends the whole run as failed, with `message` as the cause shown in the
    /// report: for a unit that knows the run cannot finish, such as one that
    /// detected a deadlock. Does not return.
    pub fn fail_run(&self, message: &str) -> ! {
        // SAFETY: the host's live table; the host ends the process.
        unsafe { (self.host.fail_run)(self.host.data, RunnerStr::new(message)) };
        // A host that returned anyway: never let the unit go on.
        std::process::abort()
    }

    /// Reports a custom event on the run's event stream (`detail` is JSON).
    pub fn emit(&self, name: &str, detail: &serde_json::Value) {
        let detail = detail.to_string();
        // SAFETY: as above; both strings outlive the call.
        unsafe { (self.host.emit)(self.host.data, RunnerStr::new(name), RunnerStr::new(&detail)) }
    }
}

/// A sink for the host to fill: host-owned (`sink_new`) where the host offers
/// that, as the ABI requires; with an older host, which knows only its own
/// `Vec<u8>` sinks, a `Vec<u8>` of ours, the one layout both sides then share.
enum HostSink<'a> {
    Host(&'a RunnerHost, *mut RunnerSink),
    /// From `Box::into_raw`, freed on drop.
    Legacy(*mut Vec<u8>),
}

impl<'a> HostSink<'a> {
    fn new(host: &'a RunnerHost) -> HostSink<'a> {
        if host.has_field(offset_of!(RunnerHost, sink_free) + size_of::<usize>()) {
            // SAFETY: the host's live table, long enough to hold `sink_new`.
            let sink = unsafe { (host.sink_new)() };
            if !sink.is_null() {
                return HostSink::Host(host, sink);
            }
        }
        HostSink::Legacy(Box::into_raw(Box::default()))
    }

    fn raw(&self) -> *mut RunnerSink {
        match self {
            HostSink::Host(_, sink) => *sink,
            HostSink::Legacy(buffer) => buffer.cast(),
        }
    }

    fn into_bytes(self) -> Vec<u8> {
        match self {
            HostSink::Host(host, sink) => {
                let mut len = 0usize;
                // SAFETY: a live sink of this host; the bytes are copied before it is freed (on drop).
                let ptr = unsafe { (host.sink_bytes)(sink, &mut len) };
                if ptr.is_null() || len == 0 {
                    return Vec::new();
                }
                // SAFETY: the host promises `len` readable bytes at `ptr` until the next write or free.
                unsafe { std::slice::from_raw_parts(ptr, len) }.to_vec()
            }
            // SAFETY: our own box, alive until drop; the host is done writing.
            HostSink::Legacy(buffer) => std::mem::take(unsafe { &mut *buffer }),
        }
    }
}

impl Drop for HostSink<'_> {
    fn drop(&mut self) {
        match *self {
            // SAFETY: a sink made by this host's `sink_new`, freed once.
            HostSink::Host(host, sink) => unsafe { (host.sink_free)(sink) },
            // SAFETY: made by `Box::into_raw` in `new`, freed once.
            HostSink::Legacy(buffer) => drop(unsafe { Box::from_raw(buffer) }),
        }
    }
}

fn response(code: i32, status: u16, body: Vec<u8>) -> Result<HttpResponse, String> {
    if code == RUNNER_OK { Ok(HttpResponse { status, body }) } else { Err(String::from_utf8_lossy(&body).into_owned()) }
}
