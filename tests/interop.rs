//! tcp-chat against real peers people already have: the course's own Python scripts
//! (tests/peers: their behaviour as the course's slides show it, host and port given on
//! their command line) and `nc`.

mod common;

use common::program::Program;
use common::*;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tcp_chat::engine::Event;

/// How Python prints `bytes`: `b'...'` with non-ASCII bytes as `\xNN`.
fn python_bytes(bytes: &[u8]) -> String {
    let mut out = String::from("b'");
    for &b in bytes {
        match b {
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            b'\\' => out.push_str("\\\\"),
            b'\'' => out.push_str("\\'"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push('\'');
    out
}

#[test]
fn the_course_chat_client_is_served_by_our_listener() {
    let mut h = Harness::new();
    let port = h.listen();
    let mut client = Program::start(&mut course_peer(
        &[],
        "TCP_ChatClient.py",
        "127.0.0.1",
        port,
    ));
    client.wait_for_output("Connect to");
    // It sends each message without a newline, then waits for the reply.
    client.type_line("hello from python");
    assert_eq!(h.received(1), ["hello from python"]);
    client.wait_for_output(&python_bytes(b"Server OK\n"));
    client.type_line("안녕하세요");
    assert_eq!(h.received(1), ["안녕하세요"]);
    let deadline = Instant::now() + DEADLINE;
    while client.output().matches("Server OK").count() < 2 {
        assert!(
            Instant::now() < deadline,
            "second reply missing:\n{}",
            client.output()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn our_client_talks_to_the_course_chat_server() {
    let port = free_port();
    let server = Program::start(&mut course_peer(
        &[],
        "TCP_ChatServer.py",
        "127.0.0.1",
        port,
    ));
    server.wait_for_output("Waiting");
    let mut h = Harness::new();
    h.chat.connect("127.0.0.1", &port.to_string()).unwrap();
    h.wait_for("connected", |e| matches!(e, Event::Connected { .. }));
    h.chat.send("hi 한국어").unwrap();
    server.wait_for_output(&python_bytes("hi 한국어\n".as_bytes()));
    // Its answer has no newline: shown once the server is quiet.
    assert_eq!(h.received(1), ["OK"]);
    h.chat.send("second").unwrap();
    server.wait_for_output(&python_bytes(b"second\n"));
    assert_eq!(h.received(1), ["OK"]);
}

#[test]
fn a_line_piped_into_the_terminal_chat_is_answered_by_the_course_chat_server() {
    let port = free_port();
    let server = Program::start(&mut course_peer(
        &[],
        "TCP_ChatServer.py",
        "127.0.0.1",
        port,
    ));
    server.wait_for_output("Waiting");
    let mut chat = Command::new(env!("CARGO_BIN_EXE_tcp-chat"))
        .args([
            "--terminal",
            "--no-discovery",
            "--connect",
            &format!("127.0.0.1:{port}"),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    chat.stdin
        .take()
        .unwrap()
        .write_all("hello from a script 안녕\n".as_bytes())
        .unwrap();
    let deadline = Instant::now() + DEADLINE;
    while chat.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = chat.kill();
            panic!("tcp-chat --terminal did not leave at the end of its input");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = chat.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    server.wait_for_output(&python_bytes("hello from a script 안녕\n".as_bytes()));
    // Its answer has no newline: shown once the server is quiet.
    assert!(stdout.lines().any(|l| l == "[rcv] OK"), "{stdout}");
}

#[test]
fn nc_as_a_client_chats_both_ways_with_our_listener() {
    let mut h = Harness::new();
    let port = h.listen();
    let mut nc = Program::start(Command::new("nc").arg("127.0.0.1").arg(port.to_string()));
    h.wait_for("nc connected", |e| matches!(e, Event::PeerConnected { .. }));
    nc.type_line("안녕 from nc");
    assert_eq!(h.received(1), ["안녕 from nc"]);
    nc.wait_for_output("Server OK\n");
    h.chat.send("반가워요 nc").unwrap();
    nc.wait_for_output("반가워요 nc\n");
}

#[test]
fn nc_as_a_server_chats_both_ways_with_our_client() {
    let port = free_port();
    let mut nc = Program::start(
        Command::new("nc")
            .arg("-l")
            .arg("127.0.0.1")
            .arg(port.to_string()),
    );
    let mut h = Harness::new();
    // nc needs a moment to listen: retry Connect until it answers (bounded).
    let deadline = Instant::now() + DEADLINE;
    loop {
        h.chat.connect("127.0.0.1", &port.to_string()).unwrap();
        let event = h.wait_for("an outcome", |e| {
            matches!(e, Event::Connected { .. } | Event::Error(_))
        });
        if matches!(event, Event::Connected { .. }) {
            break;
        }
        assert!(Instant::now() < deadline, "nc never listened: {event:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
    h.chat.send("안녕 nc server").unwrap();
    nc.wait_for_output("안녕 nc server\n");
    nc.type_line("답장 from nc");
    assert_eq!(h.received(1), ["답장 from nc"]);
}
