//! What the engine leaves behind after heavy use: nothing. The only test in its binary,
//! so that this process's thread and descriptor counts are its own.

mod common;

use common::*;
use std::io::{BufRead, BufReader, Write};
use std::time::{Duration, Instant};
use tcp_chat::engine::Event;

fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").unwrap().count()
}

fn fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

fn resident_kb() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn heavy_use_leaves_no_thread_descriptor_or_memory_behind() {
    let baseline_threads = threads();
    let baseline_fds = fds();
    let mut h = Harness::new();
    let port = h.listen();
    let listening_threads = threads();
    let listening_fds = fds();

    // 1,000 peers in turn: connect, send a line, read the reply, leave.
    let started = Instant::now();
    for i in 0..1000 {
        let mut p = peer(port);
        p.write_all(format!("cycle {i}\n").as_bytes()).unwrap();
        let mut reply = String::new();
        BufReader::new(&p).read_line(&mut reply).unwrap();
        assert_eq!(reply, "Server OK\n", "cycle {i}");
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "1,000 cycles took too long"
        );
    }
    let got = h.received(1000);
    for (i, line) in got.iter().enumerate() {
        assert_eq!(line, &format!("cycle {i}"));
    }
    for _ in 0..1000 {
        h.wait_for("a disconnect", |e| matches!(e, Event::PeerLeft { .. }));
    }
    eventually("the peers' threads to end", || {
        threads() == listening_threads
    });
    eventually("the peers' sockets to close", || fds() == listening_fds);

    // Close and Listen again, 100 times on the same port, each with a peer served.
    let port_text = port.to_string();
    for i in 0..100 {
        let mut p = peer(port);
        p.write_all(format!("round {i}\n").as_bytes()).unwrap();
        assert_eq!(h.received(1), [format!("round {i}")]);
        assert!(h.chat.stop_listening());
        assert_eq!(
            h.chat.listen(&port_text),
            Ok(port),
            "Listen again, round {i}"
        );
    }

    // A flood of 10 MB of binary and 200,000 lines: memory stays bounded.
    let before_kb = resident_kb();
    let mut flooder = peer(port);
    let writer = std::thread::spawn(move || {
        let blob: Vec<u8> = (0..10 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
        flooder.write_all(&blob).unwrap();
        let mut lines = Vec::new();
        for i in 0..200_000 {
            lines.extend_from_slice(format!("{i:08}\n").as_bytes());
        }
        flooder.write_all(&lines).unwrap();
        flooder.write_all(b"the end\n").unwrap();
        flooder
    });
    let mut peak_kb = before_kb;
    loop {
        let batch = h.queue.wait_drain(Duration::from_millis(100));
        peak_kb = peak_kb.max(resident_kb());
        if batch
            .iter()
            .any(|e| matches!(e, Event::Received { text, .. } if text == "the end"))
        {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(240),
            "the flood did not arrive"
        );
    }
    drop(writer.join().unwrap());
    let growth_mb = (peak_kb.saturating_sub(before_kb)) / 1024;
    assert!(
        growth_mb < 64,
        "resident memory grew by {growth_mb} MB during the flood"
    );

    h.chat.stop_listening();
    drop(h);
    eventually("every thread to end", || threads() == baseline_threads);
    eventually("every socket to close", || fds() == baseline_fds);
}
