//! Async IO on the run process's tokio runtime: timers and a hyper client
//! with keep-alive. Made inside the process (after any fork), one per runtime.

use std::sync::OnceLock;
use std::time::Duration;

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use super::HttpResult;

type HttpClient = Client<HttpConnector, Empty<Bytes>>;

/// The client of this process's async strategy (one runtime per process).
static CLIENT: OnceLock<(u32, HttpClient)> = OnceLock::new();

fn client() -> HttpClient {
    let me = std::process::id();
    match CLIENT.get() {
        Some((pid, client)) if *pid == me => client.clone(),
        // A forked worker must not reuse its parent's pool; it makes its own
        // (not cached, since the OnceLock was filled before the fork).
        Some(_) => new_client(),
        None => CLIENT.get_or_init(|| (me, new_client())).1.clone(),
    }
}

fn new_client() -> HttpClient {
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    Client::builder(TokioExecutor::new()).pool_max_idle_per_host(usize::MAX).build(connector)
}

/// Sleeps on the current runtime.
pub async fn sleep(duration: Duration) {
    tokio::time::sleep(duration).await;
}

/// GET `url`; a status of any kind is `Ok`, a transport failure `Err`.
pub async fn http_get(url: String) -> HttpResult {
    let uri: hyper::Uri = url.parse().map_err(|e| format!("bad URL `{url}`: {e}"))?;
    let response = client().get(uri).await.map_err(|e| describe(&e))?;
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.map_err(|e| e.to_string())?.to_bytes();
    Ok((status, body.to_vec()))
}

/// hyper-util's errors hide their cause one level down.
fn describe(error: &hyper_util::client::legacy::Error) -> String {
    use std::error::Error;
    match error.source() {
        Some(source) => format!("{error}: {source}"),
        None => error.to_string(),
    }
}
