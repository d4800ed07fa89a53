//! A round trip over loopback TCP: the unit's own connection on 127.0.0.1 to
//! an echo thread, one byte there and back.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use crate::measure::{self, Budget};
use crate::{Outcome, Row};

/// How long the echo thread waits for the next byte before it gives up: far
/// longer than a trial, so only a unit that died leaves it waiting this long.
const ECHO_PATIENCE: Duration = Duration::from_secs(10);

#[derive(Debug)]
pub struct TcpRoundTrip;

impl Row for TcpRoundTrip {
    const NAME: &'static str = "tcp_round_trip";
    const DESCRIPTION: &'static str = "round trip over loopback TCP: one byte sent and echoed back by a thread of \
        the unit's own, over a fresh connection on 127.0.0.1 with Nagle off (TCP_NODELAY); the lecture's round trip \
        within a datacenter: 500 µs";
    const LECTURE_NS: Option<f64> = Some(500_000.0);

    fn prepare() -> Result<Self, String> {
        Ok(TcpRoundTrip)
    }

    fn measure(&self, budget: Budget) -> Result<Outcome, String> {
        let (client, server) = connected_pair().map_err(|e| format!("loopback connection: {e}"))?;
        // The client is moved into the scope's closure and dropped when it
        // returns or unwinds, which closes the connection and ends the echo
        // thread before the scope joins it.
        let trials = std::thread::scope(move |scope| {
            scope.spawn(move || echo(server));
            let mut client = client;
            measure::trials(budget, |n| round_trips(&mut client, n).map_err(|e| format!("round trip: {e}")))
        })?;
        Ok(Outcome::measured(trials, "per round trip of 1 byte over TCP on 127.0.0.1"))
    }
}

/// Both ends of a new connection on 127.0.0.1, Nagle off on both.
fn connected_pair() -> std::io::Result<(TcpStream, TcpStream)> {
    let listener = TcpListener::bind(("127.0.0.1", 0))?;
    let client = TcpStream::connect(listener.local_addr()?)?;
    let (server, _) = listener.accept()?;
    client.set_nodelay(true)?;
    server.set_nodelay(true)?;
    server.set_read_timeout(Some(ECHO_PATIENCE))?;
    Ok((client, server))
}

/// Sends back every byte until the other end closes (or falls silent).
fn echo(mut server: TcpStream) {
    let mut byte = [0u8; 1];
    while let Ok(1) = server.read(&mut byte) {
        if server.write_all(&byte).is_err() {
            break;
        }
    }
}

fn round_trips(client: &mut TcpStream, n: u64) -> std::io::Result<Duration> {
    let mut byte = [0u8; 1];
    let start = Instant::now();
    for _ in 0..n {
        client.write_all(&byte)?;
        client.read_exact(&mut byte)?;
    }
    Ok(start.elapsed())
}
