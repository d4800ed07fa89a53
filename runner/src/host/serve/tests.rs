//! Each test starts its own server on port 0 in a thread and talks plain
//! HTTP/1.1 over `std::net::TcpStream`, as a blocking client would.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::mpsc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::{ServeConfig, run_until};

/// A running server; dropping it stops the server and checks it ended cleanly.
struct Server {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<io::Result<()>>>,
}

impl Server {
    fn start(config: ServeConfig) -> Server {
        let (ready_tx, ready_rx) = mpsc::channel();
        let (stop, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = thread::spawn(move || {
            let shutdown = async move {
                let _ = stop_rx.await;
            };
            run_until(
                ServeConfig { port: 0, ..config },
                |ready| ready_tx.send(ready.addr).expect("test waits"),
                shutdown,
            )
        });
        let addr = ready_rx.recv_timeout(Duration::from_secs(10)).expect("server ready");
        Server { addr, stop: Some(stop), thread: Some(thread) }
    }

    fn connect(&self) -> BufReader<TcpStream> {
        let stream = TcpStream::connect(self.addr).expect("connect");
        stream.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
        BufReader::new(stream)
    }

    /// One request on a fresh connection.
    fn get(&self, path: &str) -> io::Result<(u16, Vec<u8>)> {
        get(&mut self.connect(), path)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let result = thread.join().expect("server thread panicked");
            if !thread::panicking() {
                result.expect("server returned an error");
            }
        }
    }
}

/// One keep-alive request; returns the status and the body (by Content-Length).
fn get(conn: &mut BufReader<TcpStream>, path: &str) -> io::Result<(u16, Vec<u8>)> {
    write!(conn.get_mut(), "GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n")?;
    let mut line = String::new();
    if conn.read_line(&mut line)? == 0 {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    let status = line.split(' ').nth(1).and_then(|s| s.parse().ok()).ok_or(io::ErrorKind::InvalidData)?;
    let mut length = None;
    loop {
        line.clear();
        conn.read_line(&mut line)?;
        if line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length.ok_or(io::ErrorKind::InvalidData)?];
    conn.read_exact(&mut body)?;
    Ok((status, body))
}

fn stats(server: &Server) -> serde_json::Value {
    let (status, body) = server.get("/stats").expect("stats");
    assert_eq!(status, 200);
    serde_json::from_slice(&body).expect("stats are JSON")
}

#[test]
fn default_page_is_383_bytes_of_text() {
    let server = Server::start(ServeConfig::default());
    let (status, body) = server.get("/page/1").expect("get");
    assert_eq!(status, 200);
    assert_eq!(body.len(), 383);
    assert!(body.starts_with(b"runner page\nrunner page\n"));
    // Deterministic: the same bytes every time.
    assert_eq!(server.get("/page/2").expect("get").1, body);
}

#[test]
fn body_bytes_is_respected() {
    let server = Server::start(ServeConfig { body_bytes: 0, ..Default::default() });
    assert_eq!(server.get("/").expect("get"), (200, vec![]));
}

#[test]
fn stats_count_requests_but_not_themselves() {
    let server = Server::start(ServeConfig::default());
    let mut conn = server.connect();
    for i in 0..3 {
        assert_eq!(get(&mut conn, &format!("/{i}")).expect("get").0, 200);
    }
    let (_, body) = get(&mut conn, "/stats").expect("stats");
    let stats: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
    assert_eq!(stats, serde_json::json!({"requests":3,"ok":3,"failed":0,"dropped":0,"open_connections":1}));
}

#[test]
fn fail_rate_one_answers_500() {
    let server = Server::start(ServeConfig { fail_rate: 1.0, ..Default::default() });
    for _ in 0..3 {
        let (status, body) = server.get("/").expect("get");
        assert_eq!(status, 500);
        assert!(!body.is_empty());
    }
    let stats = stats(&server);
    assert_eq!(
        (stats["requests"].as_u64(), stats["failed"].as_u64(), stats["ok"].as_u64()),
        (Some(3), Some(3), Some(0))
    );
}

#[test]
fn drop_rate_one_closes_without_a_response() {
    let server = Server::start(ServeConfig { drop_rate: 1.0, ..Default::default() });
    let mut conn = server.connect();
    write!(conn.get_mut(), "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n").expect("write");
    let mut rest = Vec::new();
    // EOF, or a reset: either way not one byte of response.
    match conn.read_to_end(&mut rest) {
        Ok(n) => assert_eq!(n, 0, "got {:?}", String::from_utf8_lossy(&rest)),
        Err(e) => assert_eq!(e.kind(), io::ErrorKind::ConnectionReset),
    }
    assert_eq!(stats(&server)["dropped"].as_u64(), Some(1));
}

#[test]
fn delay_is_respected() {
    let server = Server::start(ServeConfig { delay: Duration::from_millis(50), ..Default::default() });
    let start = Instant::now();
    assert_eq!(server.get("/").expect("get").0, 200);
    let elapsed = start.elapsed();
    assert!(elapsed >= Duration::from_millis(50), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
    // /stats is never delayed.
    let start = Instant::now();
    stats(&server);
    assert!(start.elapsed() < Duration::from_millis(50), "{:?}", start.elapsed());
}

#[test]
fn concurrent_requests_wait_together() {
    // The lecture's async case: 100 requests at 100 ms take ~100 ms, not 10 s.
    let server = Server::start(ServeConfig { delay: Duration::from_millis(100), ..Default::default() });
    let start = Instant::now();
    let clients: Vec<_> = (0..100)
        .map(|i| {
            let addr = server.addr;
            thread::spawn(move || {
                let stream = TcpStream::connect(addr).expect("connect");
                stream.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
                get(&mut BufReader::new(stream), &format!("/{i}")).expect("get").1.len()
            })
        })
        .collect();
    for client in clients {
        assert_eq!(client.join().expect("client"), 383);
    }
    let elapsed = start.elapsed();
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
}

#[test]
fn jitter_stays_within_bounds() {
    let server = Server::start(ServeConfig { jitter: Duration::from_millis(30), ..Default::default() });
    let mut conn = server.connect();
    let start = Instant::now();
    for _ in 0..10 {
        assert_eq!(get(&mut conn, "/").expect("get").0, 200);
    }
    // At most 10 × 30 ms of jitter, with room for a loaded machine.
    assert!(start.elapsed() < Duration::from_secs(2), "{:?}", start.elapsed());
}

#[test]
fn keep_alive_serves_two_requests_on_one_connection() {
    let server = Server::start(ServeConfig::default());
    let mut conn = server.connect();
    assert_eq!(get(&mut conn, "/a").expect("first").0, 200);
    assert_eq!(get(&mut conn, "/b").expect("second").0, 200);
    let stats = stats(&server);
    assert_eq!(stats["requests"].as_u64(), Some(2));
    // The kept-alive connection and the one asking for /stats.
    assert_eq!(stats["open_connections"].as_u64(), Some(2));
}

#[test]
fn stops_with_an_idle_keep_alive_connection_open() {
    let server = Server::start(ServeConfig::default());
    let mut conn = server.connect();
    assert_eq!(get(&mut conn, "/").expect("get").0, 200);
    let start = Instant::now();
    drop(server); // joins the server thread
    assert!(start.elapsed() < Duration::from_millis(900), "{:?}", start.elapsed());
    let mut rest = Vec::new();
    assert_eq!(conn.read_to_end(&mut rest).unwrap_or(0), 0);
}
