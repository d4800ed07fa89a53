//! Async IO on the run process's tokio runtime: timers, and HTTP/1.1 GETs on a
//! small keep-alive client of our own over tokio's `TcpStream`.
//!
//! Why not hyper's client: the lecture's downloads are tiny GETs, and hyper's
//! dispatcher (a task and channels per connection, header maps per request)
//! was most of the client's cost — with thousands in flight, hyper-util's
//! pooled client cost grew with the number in flight (108 µs of CPU per
//! request at 3,300, 357 µs unlimited, measured here). This client writes one
//! request line, reads the answer with `httparse` (Content-Length, chunked or
//! close-delimited bodies) and keeps idle connections on a per-host stack:
//! O(1) per request, one write and usually one read per GET. The runtime is
//! current-thread (one per process, made after any fork), so the pool is
//! thread-local; a forked worker clears what it inherited (`after_fork`).

use std::cell::RefCell;
use std::collections::HashMap;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::HttpResult;

/// Headers longer than this are refused.
const MAX_HEAD: usize = 64 * 1024;
/// Bodies (and chunks) larger than this are refused, as the blocking client does.
pub(crate) const MAX_BODY: usize = 64 << 20;
/// An idle connection older than this is checked for a close before reuse.
const STALE_AFTER: Duration = Duration::from_millis(100);

/// A keep-alive connection and the bytes read past the last answer.
struct Connection {
    stream: TcpStream,
    buffer: Vec<u8>,
    idle_since: Instant,
}

thread_local! {
    /// Idle keep-alive connections by `host:port`.
    static IDLE: RefCell<HashMap<String, Vec<Connection>>> = RefCell::new(HashMap::new());
}

/// Forgets connections inherited through a fork: they belong to the parent.
pub(crate) fn after_fork() {
    IDLE.with(|idle| std::mem::forget(idle.take()));
}

/// Sleeps on the current runtime.
pub(crate) async fn sleep(duration: Duration) {
    tokio::time::sleep(duration).await;
}

/// GET `url`; a status of any kind is `Ok`, a transport failure `Err`.
pub(crate) async fn http_get(url: String) -> HttpResult {
    let (authority, path) = split(&url)?;
    let mut connection = match take_idle(authority) {
        Some(connection) => connection,
        None => connect(authority).await?,
    };
    let answer = exchange(&mut connection, authority, path).await;
    // Only a connection with nothing left over can carry the next request.
    if let Ok(Answer { keep_alive: true, .. }) = &answer
        && connection.buffer.is_empty()
    {
        connection.idle_since = Instant::now();
        IDLE.with(|idle| idle.borrow_mut().entry(authority.to_owned()).or_default().push(connection));
    }
    answer.map(|a| (a.status, a.body))
}

struct Answer {
    status: u16,
    body: Vec<u8>,
    keep_alive: bool,
}

/// `http://host:port/path` → (`host:port`, `/path`).
fn split(url: &str) -> Result<(&str, &str), String> {
    let rest = url.strip_prefix("http://").ok_or_else(|| format!("only http:// URLs are supported, not `{url}`"))?;
    let (authority, path) = rest.find('/').map_or((rest, "/"), |i| (&rest[..i], &rest[i..]));
    if authority.is_empty() {
        return Err(format!("no host in `{url}`"));
    }
    Ok((authority, path))
}

async fn connect(authority: &str) -> Result<Connection, String> {
    let stream = TcpStream::connect(authority).await.map_err(|e| format!("connect to {authority}: {e}"))?;
    let _ = stream.set_nodelay(true);
    Ok(Connection { stream, buffer: Vec::with_capacity(4096), idle_since: Instant::now() })
}

/// An idle connection to `authority`, checked for a close by the server if it
/// waited long enough for the server to have given up on it.
fn take_idle(authority: &str) -> Option<Connection> {
    loop {
        let connection = IDLE.with(|idle| idle.borrow_mut().get_mut(authority)?.pop())?;
        if connection.idle_since.elapsed() < STALE_AFTER {
            return Some(connection);
        }
        // Ask the kernel, not tokio's readiness cache (which may not have seen
        // the server's FIN yet): nothing to read means still open.
        let mut probe = [0u8; 1];
        use std::os::fd::AsRawFd;
        // SAFETY: a non-blocking peek of one byte into a local buffer.
        let peeked = unsafe {
            nix::libc::recv(
                connection.stream.as_raw_fd(),
                probe.as_mut_ptr().cast(),
                1,
                nix::libc::MSG_PEEK | nix::libc::MSG_DONTWAIT,
            )
        };
        let open = peeked < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::WouldBlock;
        if open {
            return Some(connection);
        }
        // Closed, or bytes nobody asked for: not reusable.
    }
}

/// Sends one GET and reads its answer.
async fn exchange(connection: &mut Connection, authority: &str, path: &str) -> Result<Answer, String> {
    let request = format!("GET {path} HTTP/1.1\r\nHost: {authority}\r\n\r\n");
    connection.stream.write_all(request.as_bytes()).await.map_err(|e| format!("send: {e}"))?;
    let buffer = &mut connection.buffer;
    let (status, head_len, body) = loop {
        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut response = httparse::Response::new(&mut headers);
        match response.parse(buffer) {
            Ok(httparse::Status::Complete(head_len)) => {
                let status = response.code.unwrap_or(0);
                if (100..200).contains(&status) && status != 101 {
                    // An interim answer (100 Continue, 103…): the real one follows.
                    buffer.drain(..head_len);
                    continue;
                }
                break (status, head_len, Body::of(&response)?);
            }
            Ok(httparse::Status::Partial) if buffer.len() < MAX_HEAD => {}
            Ok(httparse::Status::Partial) => return Err("answer headers too long".into()),
            Err(e) => return Err(format!("malformed answer: {e}")),
        }
        if read_more(&mut connection.stream, buffer).await? == 0 {
            return Err(if buffer.is_empty() {
                "connection closed before an answer".into()
            } else {
                "connection closed in the middle of the answer headers".into()
            });
        }
    };
    buffer.drain(..head_len);
    let (body, keep_alive) = match body {
        Body::Length(length, keep_alive) => {
            while buffer.len() < length {
                if read_more(&mut connection.stream, buffer).await? == 0 {
                    return Err("connection closed in the middle of the body".into());
                }
            }
            (buffer.drain(..length).collect(), keep_alive)
        }
        Body::Chunked(keep_alive) => (read_chunked(&mut connection.stream, buffer).await?, keep_alive),
        Body::UntilClose => {
            while read_more(&mut connection.stream, buffer).await? > 0 {
                if buffer.len() > MAX_BODY {
                    return Err(format!("body over the {MAX_BODY}-byte limit"));
                }
            }
            (std::mem::take(buffer), false)
        }
    };
    Ok(Answer { status, body, keep_alive })
}

/// How the body of an answer is delimited.
enum Body {
    Length(usize, bool),
    Chunked(bool),
    UntilClose,
}

impl Body {
    fn of(response: &httparse::Response<'_, '_>) -> Result<Body, String> {
        let header = |name: &str| {
            response.headers.iter().find(|h| h.name.eq_ignore_ascii_case(name)).map(|h| h.value.to_ascii_lowercase())
        };
        let keep_alive = response.version == Some(1) && header("connection").is_none_or(|v| v != b"close");
        if header("transfer-encoding").is_some_and(|v| v.ends_with(b"chunked")) {
            return Ok(Body::Chunked(keep_alive));
        }
        match header("content-length") {
            Some(value) => match std::str::from_utf8(&value).ok().and_then(|v| v.trim().parse::<usize>().ok()) {
                Some(length) if length <= MAX_BODY => Ok(Body::Length(length, keep_alive)),
                Some(length) => Err(format!("body of {length} bytes is over the {MAX_BODY}-byte limit")),
                None => Err("malformed Content-Length".to_owned()),
            },
            None if matches!(response.code, Some(204 | 304)) => Ok(Body::Length(0, keep_alive)),
            None => Ok(Body::UntilClose),
        }
    }
}

async fn read_more(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Result<usize, String> {
    buffer.reserve(4096);
    stream.read_buf(buffer).await.map_err(|e| format!("receive: {e}"))
}

/// Decodes a chunked body from `buffer` (reading more as needed), trailers
/// included, so the connection is left at the next answer.
async fn read_chunked(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    loop {
        let line = read_line(stream, buffer).await?;
        let size_text = String::from_utf8_lossy(&line);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| "malformed chunk size".to_owned())?;
        if size == 0 {
            // Trailer lines up to an empty one end the body.
            while !read_line(stream, buffer).await?.is_empty() {}
            return Ok(body);
        }
        if body.len().saturating_add(size) > MAX_BODY {
            return Err(format!("body over the {MAX_BODY}-byte limit"));
        }
        while buffer.len() < size + 2 {
            if read_more(stream, buffer).await? == 0 {
                return Err("connection closed in a chunk".into());
            }
        }
        if &buffer[size..size + 2] != b"\r\n" {
            return Err("malformed chunk: no CRLF after its data".into());
        }
        body.extend(buffer.drain(..size));
        buffer.drain(..2);
    }
}

/// One CRLF-terminated line from `buffer` (reading more as needed), without the CRLF.
async fn read_line(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Result<Vec<u8>, String> {
    loop {
        if let Some(i) = buffer.windows(2).position(|w| w == b"\r\n") {
            let line = buffer[..i].to_vec();
            buffer.drain(..i + 2);
            return Ok(line);
        }
        if buffer.len() > MAX_HEAD {
            return Err("line too long in a chunked body".into());
        }
        if read_more(stream, buffer).await? == 0 {
            return Err("connection closed in a chunked body".into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn urls_split_into_authority_and_path() {
        assert_eq!(split("http://127.0.0.1:8000/page/3"), Ok(("127.0.0.1:8000", "/page/3")));
        assert_eq!(split("http://example:80"), Ok(("example:80", "/")));
        assert!(split("https://x/").is_err());
        assert!(split("http:///x").is_err());
    }

    /// A server that answers each request on one connection with the next of
    /// `answers`, written raw.
    async fn raw_server(answers: Vec<&'static str>) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap().to_string();
        tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            for answer in answers {
                let mut request = vec![0u8; 1024];
                let _ = stream.read(&mut request).await;
                stream.write_all(answer.as_bytes()).await.unwrap();
            }
        });
        address
    }

    #[test]
    fn interim_answers_chunks_and_trailers_leave_the_connection_reusable() {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let address = raw_server(vec![
                "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\
                 5\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: yes\r\n\r\n",
                "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\n\r\noops",
            ])
            .await;
            let url = format!("http://{address}/page/1");
            assert_eq!(super::http_get(url.clone()).await, Ok((200, b"hello world".to_vec())));
            // The same (pooled) connection carries the second request.
            assert_eq!(super::http_get(url).await, Ok((500, b"oops".to_vec())));
        });
    }

    #[test]
    fn a_huge_chunk_or_body_is_refused_not_allocated() {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let address =
                raw_server(vec!["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n"]).await;
            let error = super::http_get(format!("http://{address}/")).await.unwrap_err();
            assert!(error.contains("limit") || error.contains("malformed"), "{error}");
            let address = raw_server(vec!["HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n"]).await;
            let error = super::http_get(format!("http://{address}/")).await.unwrap_err();
            assert!(error.contains("limit"), "{error}");
        });
    }
}
