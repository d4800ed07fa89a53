//! Async IO on the run process's tokio runtime: timers, and HTTP/1.1 GETs on
//! hyper's connection-level client with a small keep-alive pool of our own.
//!
//! Why not hyper-util's pooled client: with thousands of requests in flight
//! to one host its per-request cost grew with the number in flight (about
//! 100 µs of CPU per request at 3,300 in flight, 350 µs unlimited, measured
//! here), which made 10,000 downloads CPU-bound. This pool is a stack of idle
//! connections per host: O(1) per request. The runtime is current-thread (one
//! per process, made after any fork), so the pool is thread-local.

use std::cell::RefCell;
use std::collections::HashMap;
use std::time::Duration;

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper::client::conn::http1::{self, SendRequest};
use hyper::{Request, Uri};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use super::HttpResult;

type Sender = SendRequest<Empty<Bytes>>;

thread_local! {
    /// Idle keep-alive connections by `host:port`, and the process they belong to.
    static IDLE: RefCell<(u32, HashMap<String, Vec<Sender>>)> = RefCell::new((0, HashMap::new()));
}

/// Sleeps on the current runtime.
pub async fn sleep(duration: Duration) {
    tokio::time::sleep(duration).await;
}

/// GET `url`; a status of any kind is `Ok`, a transport failure `Err`.
pub async fn http_get(url: String) -> HttpResult {
    let uri: Uri = url.parse().map_err(|e| format!("bad URL `{url}`: {e}"))?;
    if uri.scheme_str() != Some("http") {
        return Err(format!("only http:// URLs are supported, not `{url}`"));
    }
    let authority = uri.authority().map(|a| a.to_string()).ok_or_else(|| format!("no host in `{url}`"))?;
    let path = uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
    // A reused connection may have been closed by the server meanwhile: then
    // the request is tried once more on a new one.
    let reused = take_idle(&authority).await;
    let was_reused = reused.is_some();
    let sender = match reused {
        Some(sender) => sender,
        None => connect(&authority).await?,
    };
    match get(sender, &authority, &path).await {
        Err(Failure::Unsent(_)) if was_reused => {
            let sender = connect(&authority).await?;
            get(sender, &authority, &path).await.map_err(Failure::into_message)
        }
        other => other.map_err(Failure::into_message),
    }
}

enum Failure {
    /// The request never left: safe to try again.
    Unsent(String),
    /// It left; the answer did not come (dropped, reset).
    Lost(String),
}

impl Failure {
    fn into_message(self) -> String {
        match self {
            Failure::Unsent(m) | Failure::Lost(m) => m,
        }
    }
}

async fn get(mut sender: Sender, authority: &str, path: &str) -> Result<(u16, Vec<u8>), Failure> {
    let request = Request::get(path)
        .header(hyper::header::HOST, authority)
        .body(Empty::new())
        .map_err(|e| Failure::Unsent(e.to_string()))?;
    let response = sender.send_request(request).await.map_err(|e| {
        let message = describe(&e);
        if e.is_canceled() { Failure::Unsent(message) } else { Failure::Lost(message) }
    })?;
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.map_err(|e| Failure::Lost(describe(&e)))?.to_bytes();
    put_idle(authority, sender);
    Ok((status, body.to_vec()))
}

async fn connect(authority: &str) -> Result<Sender, String> {
    let stream = TcpStream::connect(authority).await.map_err(|e| format!("connect to {authority}: {e}"))?;
    let _ = stream.set_nodelay(true);
    let (sender, connection) = http1::handshake(TokioIo::new(stream)).await.map_err(|e| describe(&e))?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!("connection ended: {e}");
        }
    });
    Ok(sender)
}

/// An idle connection to `authority` that is ready for a request, if any.
async fn take_idle(authority: &str) -> Option<Sender> {
    loop {
        let mut sender = IDLE.with(|idle| {
            let mut idle = idle.borrow_mut();
            let me = std::process::id();
            if idle.0 != me {
                // A forked copy of another process's pool: never reuse it.
                *idle = (me, HashMap::new());
            }
            idle.1.get_mut(authority)?.pop()
        })?;
        if sender.ready().await.is_ok() {
            return Some(sender);
        }
    }
}

fn put_idle(authority: &str, sender: Sender) {
    IDLE.with(|idle| idle.borrow_mut().1.entry(authority.to_owned()).or_default().push(sender));
}

/// hyper's errors hide their cause one level down.
fn describe(error: &hyper::Error) -> String {
    use std::error::Error;
    match error.source() {
        Some(source) => format!("{error}: {source}"),
        None => error.to_string(),
    }
}
