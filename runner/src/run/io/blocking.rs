//! Blocking IO with ureq (no TLS, no background thread, so a forked worker can
//! use it). One agent per process, made after any fork, keeps connections
//! alive between a worker's requests.

use std::sync::Mutex;

use super::HttpResult;

/// This process's agent, made on first use.
static AGENT: Mutex<Option<ureq::Agent>> = Mutex::new(None);

/// Forgets an agent (and its connections) inherited through a fork.
pub(crate) fn after_fork() {
    if let Ok(mut slot) = AGENT.lock() {
        std::mem::forget(slot.take());
    }
}

fn agent() -> ureq::Agent {
    let mut slot = AGENT.lock().unwrap_or_else(|p| p.into_inner());
    match &*slot {
        Some(agent) => agent.clone(),
        None => {
            let config = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .max_idle_connections(1024)
                .max_idle_connections_per_host(1024)
                // Like the async client: a redirect is an answer, not a detour.
                .max_redirects(0)
                // No ureq timeouts: with one set, ureq resolves every new
                // connection's address on a thread of its own (even
                // 127.0.0.1), which cost ~30 ms over 64 threads here. The
                // run's timeout is the backstop.
                .build();
            let agent = ureq::Agent::new_with_config(config);
            *slot = Some(agent.clone());
            agent
        }
    }
}

/// GET `url`; a status of any kind is `Ok`, a transport failure `Err`.
pub(crate) fn http_get(url: &str) -> HttpResult {
    let mut response = agent().get(url).call().map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let limit = super::asynchronous::MAX_BODY as u64;
    let body = response.body_mut().with_config().limit(limit).read_to_vec().map_err(|e| e.to_string())?;
    Ok((status, body))
}
