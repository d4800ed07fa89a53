//! N real processes forked with `nix`, each running one contiguous chunk of the
//! units, as the lecture's `multiprocessing.Process` example does.
//!
//! fork copies only the calling thread, so a process with other threads (a
//! rayon pool, a tokio runtime, a plugin's own thread) can leave a child stuck
//! on a lock that nobody will ever release. The run's process is started
//! single-threaded for this; the strategy checks `/proc/self/task` before it
//! forks and refuses otherwise. Children send their events (results included)
//! over a pipe each and end with `_exit`, so no destructor or atexit handler of
//! the parent runs twice; the parent relays the events and reaps every child
//! by pid.

use std::fs::File;
use std::io::PipeWriter;
use std::os::fd::OwnedFd;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;

use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{ForkResult, Pid, fork};

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use super::async_units::run_chunk;
use super::chunks::chunk;
use super::unit::{RunContext, StrategyOutcome, WorkerState};
use super::worker_pipe::relay;
use crate::protocol::FatalError;
use crate::protocol::signal_name;
use crate::run::plugin::{HostApi, WorkerHooks};
use crate::run::{EventSink, UsageMeter};

/// Exit code of a worker process whose runner code (not the plugin) panicked;
/// unusual, so that a plugin's own `exit(101)` is not mistaken for it.
const WORKER_PANICKED: i32 = 199;

#[derive(Debug)]
struct Forked {
    id: u32,
    pid: Pid,
}

/// How units reach the forked workers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Feed {
    /// Worker `w` of `n` runs one contiguous chunk (`multiprocessing.Process`).
    Chunks,
    /// Each worker takes the next unit when it is free, from a counter in
    /// shared memory (`ProcessPoolExecutor`).
    Queue,
}

/// How a forked worker runs its units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Body {
    /// One after another, blocking IO.
    Blocking,
    /// All at once on a runtime made after the fork (asyncio in each process).
    Async { units_in_flight: Option<u32> },
}

pub(crate) fn run(cx: &RunContext<'_>, workers: u32, feed: Feed, body: Body) -> Result<StrategyOutcome, FatalError> {
    let threads = thread_count();
    if threads != 1 {
        return Err(FatalError::Strategy {
            message: format!(
                "refusing to fork: the run's process has {threads} threads (did the plugin start threads while loading?); \
                 fork is only safe from a single-threaded process"
            ),
        });
    }
    let queue = match feed {
        Feed::Chunks => None,
        Feed::Queue => Some(SharedCounter::new().map_err(|message| FatalError::Strategy { message })?),
    };
    let meter = UsageMeter::start();
    let mut forked = Vec::new();
    let mut readers = Vec::new();
    for id in 0..workers {
        let pipe = std::io::pipe();
        let (reader, writer) = match pipe {
            Ok(pair) => pair,
            Err(e) => {
                return Err(abandon(&forked, format!("could not make a pipe for worker {id}: {e}")));
            }
        };
        // SAFETY: the process is single-threaded (checked above), so the child
        // inherits no lock held by a thread that does not exist in it.
        match unsafe { fork() } {
            Ok(ForkResult::Child) => {
                drop(reader);
                drop(readers);
                worker_process(cx, id, workers, writer, queue.as_ref(), body)
            }
            Ok(ForkResult::Parent { child }) => {
                drop(writer);
                forked.push(Forked { id, pid: child });
                readers.push(reader);
            }
            Err(e) => {
                return Err(abandon(&forked, format!("fork failed for worker {id}: {e}")));
            }
        }
    }

    // Every fork is done: threads are safe from here on.
    let results = Mutex::new(vec![None; cx.units as usize]);
    let gone: Vec<AtomicBool> = forked.iter().map(|_| AtomicBool::new(false)).collect();
    let worker_failures = std::thread::scope(|scope| {
        for ((worker, reader), gone) in forked.iter().zip(readers).zip(&gone) {
            let results = &results;
            scope.spawn(move || relay(worker.id, reader, gone, cx.events, results));
        }
        // Reaped here, not at the pipes' end: see `worker_pipe.rs`.
        let failures: Vec<String> = forked
            .iter()
            .zip(&gone)
            .filter_map(|(worker, gone)| {
                let failure = reap(worker);
                gone.store(true, Ordering::Release);
                failure
            })
            .collect();
        failures
    });
    let results = results.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner());
    Ok(StrategyOutcome { results, measurement: meter.finish(), worker_failures })
}

/// The body of a forked worker. Never returns.
fn worker_process(
    cx: &RunContext<'_>,
    id: u32,
    workers: u32,
    writer: PipeWriter,
    queue: Option<&SharedCounter>,
    body: Body,
) -> ! {
    // If the run's process dies, its workers die with it.
    // SAFETY: prctl only sets an attribute of this process.
    unsafe { nix::libc::prctl(nix::libc::PR_SET_PDEATHSIG, nix::libc::SIGKILL, 0, 0, 0) };
    crate::run::io::after_fork();
    let code = match catch_unwind(AssertUnwindSafe(|| {
        let sink = EventSink::new(File::from(OwnedFd::from(writer)));
        let worker = WorkerState::new(id, workers, cx.clock, &sink, None).sending_results();
        match (queue, body) {
            (Some(queue), _) => {
                let hooks: &dyn WorkerHooks = &worker;
                let host = HostApi::new(&hooks, id, workers);
                while let Some(unit) = queue.take(cx.units) {
                    worker.run_unit(cx.instance, &host, unit);
                }
            }
            (None, Body::Blocking) => {
                worker.run_units(cx.instance, chunk(cx.units, workers, id));
            }
            (None, Body::Async { units_in_flight }) => {
                if let Err(e) = run_chunk(cx, &worker, chunk(cx.units, workers, id), units_in_flight) {
                    eprintln!("worker {id}: {e}");
                }
            }
        }
    })) {
        Ok(()) => 0,
        Err(_) => WORKER_PANICKED,
    };
    // SAFETY: `_exit` ends the process without running the parent's atexit
    // handlers or destructors a second time.
    unsafe { nix::libc::_exit(code) }
}

/// A counter in memory mapped shared before the fork: the process pool's queue.
#[derive(Debug)]
struct SharedCounter {
    ptr: std::ptr::NonNull<AtomicU64>,
}

impl SharedCounter {
    fn new() -> Result<SharedCounter, String> {
        // SAFETY: a fresh anonymous shared mapping; zeroed memory is a valid AtomicU64.
        let ptr = unsafe {
            nix::libc::mmap(
                std::ptr::null_mut(),
                size_of::<AtomicU64>(),
                nix::libc::PROT_READ | nix::libc::PROT_WRITE,
                nix::libc::MAP_SHARED | nix::libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if ptr == nix::libc::MAP_FAILED {
            return Err(format!("could not map the process pool's queue: {}", std::io::Error::last_os_error()));
        }
        std::ptr::NonNull::new(ptr.cast()).map(|ptr| SharedCounter { ptr }).ok_or_else(|| "mmap returned null".into())
    }

    /// The next unit to run, if any is left.
    fn take(&self, units: u64) -> Option<u64> {
        // SAFETY: mapped in `new`, unmapped only in `drop`.
        let next = unsafe { self.ptr.as_ref() }.fetch_add(1, Ordering::Relaxed);
        (next < units).then_some(next)
    }
}

impl Drop for SharedCounter {
    fn drop(&mut self) {
        // SAFETY: unmaps exactly what `new` mapped.
        unsafe { nix::libc::munmap(self.ptr.as_ptr().cast(), size_of::<AtomicU64>()) };
    }
}

/// Waits for one worker; describes it if it did not end cleanly.
fn reap(worker: &Forked) -> Option<String> {
    let who = format!("worker {} (pid {})", worker.id, worker.pid);
    match waitpid(worker.pid, None) {
        Ok(WaitStatus::Exited(_, 0)) => None,
        Ok(WaitStatus::Exited(_, WORKER_PANICKED)) => Some(format!(
            "{who} exited with code {WORKER_PANICKED}: the runner's worker code panicked (or the plugin exited with that code)"
        )),
        Ok(WaitStatus::Exited(_, code)) => Some(format!("{who} exited with code {code}")),
        Ok(WaitStatus::Signaled(_, signal, _)) => Some(format!("{who} was killed by {}", signal_name(signal as i32))),
        Ok(other) => Some(format!("{who} ended oddly: {other:?}")),
        Err(e) => Some(format!("{who} could not be waited for: {e}")),
    }
}

/// Kills and reaps the workers forked so far, and describes why.
fn abandon(forked: &[Forked], why: String) -> FatalError {
    for worker in forked {
        let _ = nix::sys::signal::kill(worker.pid, nix::sys::signal::Signal::SIGKILL);
        let _ = waitpid(worker.pid, None);
    }
    FatalError::Strategy { message: why }
}

/// Threads of this process, from `/proc/self/task`.
fn thread_count() -> usize {
    std::fs::read_dir("/proc/self/task").map(|d| d.count()).unwrap_or(0)
}
