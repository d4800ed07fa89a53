//! The IO a unit does through the host: HTTP GET and sleep, in a blocking form
//! (for sequential, threads, processes, pools) and an async form on the run
//! process's tokio runtime (for the `async` strategies). Plugins need no
//! runtime of their own: a future from a cdylib's own tokio panics when the
//! host polls it ("there is no reactor running").

pub(crate) mod asynchronous;
pub(crate) mod blocking;

/// Failure of one request, as the unit sees it.
pub(crate) type HttpResult = Result<(u16, Vec<u8>), String>;

/// Clears IO state inherited through a fork (pooled connections belong to the
/// parent). Called first thing in every forked worker.
pub(crate) fn after_fork() {
    blocking::after_fork();
    asynchronous::after_fork();
}
