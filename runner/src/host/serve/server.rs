use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::watch;

use super::ServeConfig;

/// Given to `on_ready` once the socket listens: with port 0 this is where the
/// port chosen by the kernel is learnt.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ready {
    pub(crate) addr: SocketAddr,
}

/// 128 overflowed with 10,000 connects (1 s SYN-retransmit stalls); 4096 is the
/// kernel's cap here and overflowed none (DESIGN.md, "HTTP (facts)").
const BACKLOG: u32 = 4096;
/// Accept errors such as EMFILE persist until some connection closes: retrying
/// at once would spin a core that the clients being measured need.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(10);
/// How long open connections get to finish after a stop, on top of the delay.
const GRACE: Duration = Duration::from_secs(1);

/// Serves until SIGINT or SIGTERM, then stops cleanly and returns.
pub(crate) fn run(config: ServeConfig, on_ready: impl FnOnce(&Ready)) -> io::Result<()> {
    serve(config, on_ready, || {
        use tokio::signal::unix::{SignalKind, signal};
        // Registered before `on_ready`, so a signal sent as soon as the caller
        // knows the address is never missed (nor kills the process).
        let mut int = signal(SignalKind::interrupt())?;
        let mut term = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = int.recv() => tracing::info!("SIGINT: stopping the server"),
                _ = term.recv() => tracing::info!("SIGTERM: stopping the server"),
            }
        })
    })
}

/// Serves until `shutdown` completes (tests cannot signal their own process).
#[cfg(test)]
pub(crate) fn run_until(
    config: ServeConfig,
    on_ready: impl FnOnce(&Ready),
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    serve(config, on_ready, || Ok(shutdown))
}

fn serve<F: Future<Output = ()>>(
    config: ServeConfig,
    on_ready: impl FnOnce(&Ready),
    shutdown: impl FnOnce() -> io::Result<F>,
) -> io::Result<()> {
    raise_fd_limit();
    // Its own runtime, so the server works the same in the runner, in a
    // forked child or in a test thread, whatever runtime (if any) is around.
    // One thread: on 2 cores shared with the clients, a 2-worker runtime lost
    // to cross-thread wakeups (wrk -t1 -c64: 56k requests/s; now 83k), and
    // 10,000 downloads at 100 ms went from 0.70-0.81 s to 0.61 s.
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let grace = GRACE.saturating_add(config.delay).saturating_add(config.jitter);
    let result = rt.block_on(async {
        // Inside the runtime: tokio's signal streams need its driver.
        let shutdown = shutdown()?;
        let listener = bind(&config)?;
        let ready = Ready { addr: listener.local_addr()? };
        tracing::info!("serving on http://{}", ready.addr);
        on_ready(&ready);
        accept_loop(listener, Arc::new(Shared::new(config)), shutdown, grace).await;
        Ok(())
    });
    // Connections still open past the grace period are cut here.
    rt.shutdown_timeout(Duration::from_millis(100));
    result
}

fn bind(config: &ServeConfig) -> io::Result<TcpListener> {
    let addr = SocketAddr::new(config.bind, config.port);
    let context = |e: io::Error| io::Error::new(e.kind(), format!("cannot listen on {addr}: {e}"));
    let socket = if addr.is_ipv4() { TcpSocket::new_v4() } else { TcpSocket::new_v6() }.map_err(context)?;
    // Restarting right after a run must not fail on the last run's TIME_WAIT.
    socket.set_reuseaddr(true).map_err(context)?;
    socket.bind(addr).map_err(context)?;
    socket.listen(BACKLOG).map_err(context)
}

/// 10,000 concurrent connections need more than the usual soft limit of 1024.
fn raise_fd_limit() {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    match getrlimit(Resource::RLIMIT_NOFILE) {
        Ok((soft, hard)) if soft < hard => match setrlimit(Resource::RLIMIT_NOFILE, hard, hard) {
            Ok(()) => tracing::debug!("raised the open-file limit from {soft} to {hard}"),
            Err(e) => tracing::warn!("could not raise the open-file limit from {soft} to {hard}: {e}"),
        },
        Ok(_) => {}
        Err(e) => tracing::warn!("could not read the open-file limit: {e}"),
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, shutdown: impl Future<Output = ()>, grace: Duration) {
    // Every connection holds a receiver: a send asks them all to finish, and
    // `closed()` tells when the last one has.
    let (stop_tx, stop_rx) = watch::channel(());
    let mut backing_off = false;
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, _)) => {
                backing_off = false;
                tokio::spawn(connection(stream, shared.clone(), stop_rx.clone()));
            }
            // The client gave up before we accepted: nothing to wait for.
            Err(e) if matches!(e.kind(), io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset) => {
                tracing::debug!("accept: {e}");
            }
            Err(e) => {
                // Once per streak: EMFILE under load would log 100 lines a second.
                if !backing_off {
                    tracing::warn!("accept failed, retrying every {ACCEPT_BACKOFF:?}: {e}");
                }
                backing_off = true;
                tokio::time::sleep(ACCEPT_BACKOFF).await;
            }
        }
    }
    drop(listener); // refuse new connections while the open ones finish
    drop(stop_rx);
    stop_tx.send_replace(());
    if tokio::time::timeout(grace, stop_tx.closed()).await.is_err() {
        let open = shared.open_connections.load(Relaxed);
        tracing::warn!("{open} connection(s) still open {grace:?} after the stop; closing them");
    }
}

async fn connection(stream: TcpStream, shared: Arc<Shared>, mut stop: watch::Receiver<()>) {
    let _open = OpenConnection::new(shared.clone());
    // Responses are one small write each: never hold them back for Nagle.
    if let Err(e) = stream.set_nodelay(true) {
        tracing::debug!("TCP_NODELAY: {e}");
    }
    let service = service_fn(move |req| respond(req, shared.clone()));
    let conn = http1::Builder::new().timer(TokioTimer::new()).serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    let result = tokio::select! {
        result = conn.as_mut() => result,
        _ = stop.changed() => {
            // Idle keep-alive connections close now, busy ones after their response.
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    // Clients resetting and drop_rate both end here: routine, not warnings.
    if let Err(e) = result {
        tracing::debug!("connection ended: {e}");
    }
}

/// What the service returns to make hyper close the connection unanswered.
#[derive(Debug, thiserror::Error)]
#[error("connection dropped on purpose (drop_rate)")]
struct Dropped;

async fn respond(req: Request<Incoming>, shared: Arc<Shared>) -> Result<Response<Full<Bytes>>, Dropped> {
    // Observing the experiment must not change it: /stats is never counted,
    // delayed, failed or dropped.
    if req.uri().path() == "/stats" {
        return Ok(response(StatusCode::OK, "application/json", shared.stats_json().into()));
    }
    shared.requests.fetch_add(1, Relaxed);
    let config = &shared.config;
    let wait = config.delay.saturating_add(shared.rng.up_to(config.jitter));
    if !wait.is_zero() {
        // A timer, not a thread: 10,000 waiting requests cost 10,000 timers.
        tokio::time::sleep(wait).await;
    }
    if shared.rng.chance(config.drop_rate) {
        shared.dropped.fetch_add(1, Relaxed);
        return Err(Dropped);
    }
    if shared.rng.chance(config.fail_rate) {
        shared.failed.fetch_add(1, Relaxed);
        let body = Bytes::from_static(b"internal server error (fail_rate)\n");
        return Ok(response(StatusCode::INTERNAL_SERVER_ERROR, "text/plain", body));
    }
    shared.ok.fetch_add(1, Relaxed);
    Ok(response(StatusCode::OK, "text/plain", shared.page.clone()))
}

/// hyper sets Content-Length itself from the full body's exact size.
fn response(status: StatusCode, content_type: &'static str, body: Bytes) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// State shared by every connection; counters are read by /stats and tests.
struct Shared {
    config: ServeConfig,
    /// Built once and shared by reference count: a page costs no copy.
    page: Bytes,
    rng: Rng,
    requests: AtomicU64,
    ok: AtomicU64,
    failed: AtomicU64,
    dropped: AtomicU64,
    open_connections: AtomicU64,
}

impl Shared {
    fn new(config: ServeConfig) -> Self {
        let page = b"runner page\n".iter().copied().cycle().take(config.body_bytes).collect::<Vec<u8>>();
        Shared {
            config,
            page: Bytes::from(page),
            rng: Rng::from_clock(),
            requests: AtomicU64::new(0),
            ok: AtomicU64::new(0),
            failed: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            open_connections: AtomicU64::new(0),
        }
    }

    fn stats_json(&self) -> String {
        format!(
            r#"{{"requests":{},"ok":{},"failed":{},"dropped":{},"open_connections":{}}}"#,
            self.requests.load(Relaxed),
            self.ok.load(Relaxed),
            self.failed.load(Relaxed),
            self.dropped.load(Relaxed),
            self.open_connections.load(Relaxed),
        )
    }
}

/// Counts a connection as open for as long as its task lives, however it ends
/// (error, stop, or the runtime dropping it).
struct OpenConnection(Arc<Shared>);

impl OpenConnection {
    fn new(shared: Arc<Shared>) -> Self {
        shared.open_connections.fetch_add(1, Relaxed);
        OpenConnection(shared)
    }
}

impl Drop for OpenConnection {
    fn drop(&mut self) {
        self.0.open_connections.fetch_sub(1, Relaxed);
    }
}

/// splitmix64 over one atomic counter (a xorshift-style mixer): every task
/// draws with a single `fetch_add`, no lock and no `rand` crate. Seeded from
/// the clock so that runs differ; nothing here needs to be reproducible.
struct Rng(AtomicU64);

impl Rng {
    fn from_clock() -> Self {
        let seed = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
        Rng(AtomicU64::new(seed))
    }

    fn next(&self) -> u64 {
        const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut z = self.0.fetch_add(GAMMA, Relaxed).wrapping_add(GAMMA);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// True with probability `p` (≤ 0 and NaN never, ≥ 1 always).
    fn chance(&self, p: f64) -> bool {
        // 53 random bits: a uniform float in [0, 1).
        p > 0.0 && ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    /// Uniform in [0, max], to the nanosecond.
    fn up_to(&self, max: Duration) -> Duration {
        if max.is_zero() {
            return Duration::ZERO;
        }
        Duration::from_nanos((u128::from(self.next()) % (max.as_nanos() + 1)) as u64)
    }
}
