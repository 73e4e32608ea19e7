//! `fifowin serve`'s connections poll their sockets for a while after each
//! request (`--busy-poll`): requests arriving during that window, in any
//! framing, are answered like any other, and a connection left open and quiet
//! stops polling, so an idle server uses no CPU. Also: the server runs without
//! transparent huge pages.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::Served;

/// CPU time (user + system) the process has used, in clock ticks (/proc/PID/stat).
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("read /proc/PID/stat");
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
    let rest = &stat[stat.rfind(')').expect("comm ends with )") + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

fn connect(endpoint: &str) -> TcpStream {
    let stream = TcpStream::connect(endpoint.trim_start_matches("http://")).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
}

fn list_queues_request() -> Vec<u8> {
    let body = "{}";
    format!(
        "POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: AmazonSQS.ListQueues\r\n\
         Content-Type: application/x-amz-json-1.0\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Reads until `count` complete HTTP responses (head plus Content-Length body)
/// have arrived; returns their status lines.
fn read_responses(stream: &mut TcpStream, count: usize) -> Vec<String> {
    let mut buf = Vec::new();
    let mut statuses = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        // Parse every complete response at the front of the buffer.
        while let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_string();
            let length: usize = head
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse().ok())?
                })
                .expect("a Content-Length header");
            if buf.len() < end + 4 + length {
                break;
            }
            statuses.push(head.lines().next().unwrap_or_default().to_string());
            buf.drain(..end + 4 + length);
        }
        if statuses.len() >= count {
            return statuses;
        }
        let n = stream.read(&mut chunk).expect("read a response");
        assert!(
            n > 0,
            "connection closed after {} responses",
            statuses.len()
        );
        buf.extend_from_slice(&chunk[..n]);
    }
}

#[test]
fn requests_in_any_framing_are_answered_while_polling() {
    let served = Served::start(&["--busy-poll", "1ms"], &[]);
    let mut stream = connect(&served.endpoint);
    let request = list_queues_request();
    // One request at a time, each arriving while the connection polls.
    for _ in 0..500 {
        stream.write_all(&request).unwrap();
        assert_eq!(read_responses(&mut stream, 1), ["HTTP/1.1 200 OK"]);
    }
    // Three requests in one write, then one request split across writes.
    stream.write_all(&request.repeat(3)).unwrap();
    assert_eq!(read_responses(&mut stream, 3), ["HTTP/1.1 200 OK"; 3]);
    let (head, tail) = request.split_at(40);
    stream.write_all(head).unwrap();
    std::thread::sleep(Duration::from_millis(5));
    stream.write_all(tail).unwrap();
    assert_eq!(read_responses(&mut stream, 1), ["HTTP/1.1 200 OK"]);
}

#[test]
fn a_quiet_connection_stops_polling() {
    for setting in ["10ms", "0"] {
        let served = Served::start(&["--busy-poll", setting], &[]);
        let pid = served.child.id();
        let mut stream = connect(&served.endpoint);
        for _ in 0..100 {
            stream.write_all(&list_queues_request()).unwrap();
            assert_eq!(read_responses(&mut stream, 1), ["HTTP/1.1 200 OK"]);
        }
        // The connection stays open but quiet for two seconds. Polling that did
        // not stop would use all of them (200 ticks at Linux's 100 per second).
        let before = cpu_ticks(pid);
        std::thread::sleep(Duration::from_secs(2));
        let used = cpu_ticks(pid) - before;
        assert!(
            used < 50,
            "--busy-poll {setting}: {used} ticks of CPU in 2 s of quiet"
        );
        // And it still answers afterwards.
        stream.write_all(&list_queues_request()).unwrap();
        assert_eq!(read_responses(&mut stream, 1), ["HTTP/1.1 200 OK"]);
    }
}

#[test]
fn a_client_slower_than_the_window_is_not_spun_for() {
    let served = Served::start(&["--busy-poll", "10ms"], &[]);
    let pid = served.child.id();
    let mut stream = connect(&served.endpoint);
    let before = cpu_ticks(pid);
    // A request every 20 ms for two seconds: spinning 10 ms after each reply
    // would use half of those seconds (100 ticks).
    for _ in 0..100 {
        stream.write_all(&list_queues_request()).unwrap();
        assert_eq!(read_responses(&mut stream, 1), ["HTTP/1.1 200 OK"]);
        std::thread::sleep(Duration::from_millis(20));
    }
    let used = cpu_ticks(pid) - before;
    assert!(
        used < 40,
        "{used} ticks of CPU for 100 requests 20 ms apart"
    );
}

#[test]
fn the_server_runs_without_transparent_huge_pages() {
    let served = Served::start(&[], &[]);
    let status = std::fs::read_to_string(format!("/proc/{}/status", served.child.id())).unwrap();
    // Kernels before 6.x do not report the flag; there is nothing to check then.
    if let Some(line) = status.lines().find(|l| l.starts_with("THP_enabled:")) {
        assert_eq!(line.split_whitespace().nth(1), Some("0"), "{line}");
    }
}
