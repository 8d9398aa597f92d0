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

/// A field of this process's /proc status (`VmRSS:`, `VmHWM:`), in kB.
fn status_kb(field: &str) -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with(field)).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Asks the kernel to start this process's peak (`VmHWM`) again from what it holds now.
fn reset_peak() {
    std::fs::write("/proc/self/clear_refs", "5").expect("write /proc/self/clear_refs");
}

/// 1,000 peers in turn, each connecting, sending `<what> <i>`, reading the auto-reply and
/// leaving; every line arrives, in order, and every peer is seen leaving.
fn serve_peers_in_turn(h: &mut Harness, port: u16, what: &str) {
    let started = Instant::now();
    for i in 0..1000 {
        let mut p = peer(port);
        p.write_all(format!("{what} {i}\n").as_bytes()).unwrap();
        let mut reply = String::new();
        BufReader::new(&p).read_line(&mut reply).unwrap();
        assert_eq!(reply, "Server OK\n", "{what} {i}");
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "1,000 cycles took too long"
        );
    }
    let got = h.received(1000);
    for (i, line) in got.iter().enumerate() {
        assert_eq!(line, &format!("{what} {i}"));
    }
    for _ in 0..1000 {
        h.wait_for("a disconnect", |e| matches!(e, Event::PeerLeft { .. }));
    }
}

#[test]
fn heavy_use_leaves_no_thread_descriptor_or_memory_behind() {
    let baseline_threads = threads();
    let baseline_fds = fds();
    let mut h = Harness::new();
    let port = h.listen();
    let listening_threads = threads();
    let listening_fds = fds();

    // 1,000 peers in turn: connect, send a line, read the reply, leave. Then 1,000 more:
    // whatever a peer leaves behind, 1,000 of them leave a thousand times as much.
    serve_peers_in_turn(&mut h, port, "cycle");
    eventually("the first peers' threads to end", || {
        threads() == listening_threads
    });
    let after_first_kb = status_kb("VmRSS:");
    serve_peers_in_turn(&mut h, port, "again");
    let started = Instant::now();
    eventually("the peers' threads to end", || {
        threads() == listening_threads
    });
    eventually("the peers' sockets to close", || fds() == listening_fds);
    let after_second_kb = status_kb("VmRSS:");
    println!(
        "resident after 1,000 peers: {after_first_kb} kB; after 1,000 more: {after_second_kb} kB"
    );
    assert!(
        after_second_kb < after_first_kb + 2048,
        "1,000 more peers left {} kB behind",
        after_second_kb.saturating_sub(after_first_kb)
    );

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

    // A flood of 10 MB of binary and 200,000 lines: memory stays bounded, at its peak.
    let before_kb = status_kb("VmRSS:");
    reset_peak();
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
    loop {
        let batch = h.queue.wait_drain(Duration::from_millis(100));
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
    let peak_kb = status_kb("VmHWM:");
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
