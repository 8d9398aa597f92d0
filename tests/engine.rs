//! The engine on its own against loopback: one test per behaviour that README promises
//! ("Using it", "On the wire", "Bad input") and that needs real sockets.

mod common;

use common::*;
use std::io::{BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};
use tcp_chat::engine::event::WireDir;
use tcp_chat::engine::framing::MAX_LINE;
use tcp_chat::engine::{connection, Error, Event, LeaveReason, LineEnding, Settings};

#[test]
fn listen_on_port_zero_reports_the_real_port() {
    let mut h = Harness::new();
    let port = h.listen();
    assert_ne!(port, 0);
    let event = h.wait_for("listening", |e| matches!(e, Event::Listening { .. }));
    assert!(
        ENGLISH.log_line(&event).1.contains(&format!("port {port}")),
        "{:?}",
        ENGLISH.log_line(&event)
    );
}

#[test]
fn many_peers_at_once_are_each_served_and_answered() {
    let mut h = Harness::new();
    let port = h.listen();
    let mut peers: Vec<TcpStream> = (0..8).map(|_| peer(port)).collect();
    for _ in 0..8 {
        h.wait_for("a peer", |e| matches!(e, Event::PeerConnected { .. }));
    }
    for (i, p) in peers.iter_mut().enumerate() {
        send(p, format!("hello from {i}\n").as_bytes());
    }
    let mut got = h.received(8);
    got.sort();
    let mut want: Vec<String> = (0..8).map(|i| format!("hello from {i}")).collect();
    want.sort();
    assert_eq!(got, want);
    for p in peers {
        assert_eq!(read_line(&mut BufReader::new(p)), "Server OK");
    }
}

#[test]
fn received_line_names_its_peer_when_several_are_connected() {
    let mut h = Harness::new();
    let port = h.listen();
    let mut a = peer(port);
    let _b = peer(port);
    for _ in 0..2 {
        h.wait_for("a peer", |e| matches!(e, Event::PeerConnected { .. }));
    }
    send(&mut a, b"who am i\n");
    let event = h.wait_for("a line", |e| matches!(e, Event::Received { .. }));
    let local = a.local_addr().unwrap();
    assert_eq!(
        ENGLISH.log_line(&event).1,
        format!("[rcv] (127.0.0.1 {}) who am i", local.port())
    );
}

#[test]
fn close_frees_the_port_at_once_and_listen_again_works() {
    let mut h = Harness::new();
    let port = h.listen();
    let mut p = peer(port);
    send(&mut p, b"x\n");
    h.received(1);
    assert!(h.chat.stop_listening());
    // The port is free the moment Close returns: a plain bind works, then Listen again.
    drop(TcpListener::bind(("0.0.0.0", port)).expect("port free after Close"));
    assert_eq!(h.chat.listen(&port.to_string()), Ok(port));
    let mut again = peer(port);
    send(&mut again, b"again\n");
    assert_eq!(h.received(1), ["again"]);
}

#[test]
fn close_disconnects_every_peer_and_says_so_before_stop_listening() {
    let mut h = Harness::new();
    let port = h.listen();
    let mut peers: Vec<TcpStream> = (0..3).map(|_| peer(port)).collect();
    for _ in 0..3 {
        h.wait_for("a peer", |e| matches!(e, Event::PeerConnected { .. }));
    }
    h.chat.stop_listening();
    for p in &mut peers {
        assert!(read_to_end(p).is_empty(), "the peer is closed");
    }
    h.settle();
    let lines: Vec<String> = h.seen.iter().map(|e| ENGLISH.log_line(e).1).collect();
    let stop = lines
        .iter()
        .position(|l| l == "Stop Listening")
        .expect("Stop Listening");
    let disconnects: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.starts_with("Disconnect : "))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(disconnects.len(), 3, "{lines:#?}");
    assert!(disconnects.iter().all(|&i| i < stop), "{lines:#?}");
}

#[test]
fn a_peer_that_leaves_is_reported_and_the_others_keep_working() {
    let mut h = Harness::new();
    let port = h.listen();
    let leaver = peer(port);
    let mut stayer = peer(port);
    let leaver_port = leaver.local_addr().unwrap().port();
    drop(leaver);
    let left = h.wait_for("the leaver's disconnect", |e| {
        matches!(e, Event::PeerLeft { .. })
    });
    assert_eq!(
        ENGLISH.log_line(&left).1,
        format!("Disconnect : 127.0.0.1 {leaver_port}")
    );
    send(&mut stayer, b"still here\n");
    assert_eq!(h.received(1), ["still here"]);
    assert_eq!(read_line(&mut BufReader::new(stayer)), "Server OK");
}

#[test]
fn a_peer_that_resets_mid_line_is_reported_and_its_partial_line_shown() {
    let mut h = Harness::new();
    let port = h.listen();
    let mut resetter = peer(port);
    send(&mut resetter, b"complete\npartial with no newline");
    assert_eq!(h.received(2), ["complete", "partial with no newline"]);
    socket2::SockRef::from(&resetter)
        .set_linger(Some(Duration::ZERO))
        .unwrap();
    drop(resetter); // linger 0: an RST, not a FIN
    let left = h.wait_for("the reset", |e| matches!(e, Event::PeerLeft { .. }));
    // Said as a reset when the read saw it so (tests/engine.rs has the reset's own test).
    assert!(matches!(
        left,
        Event::PeerLeft {
            reason: LeaveReason::ResetByPeer | LeaveReason::Broken | LeaveReason::Closed,
            ..
        }
    ));
    // A listener with no peers takes the next one.
    let mut next = peer(port);
    send(&mut next, b"next\n");
    assert_eq!(h.received(1), ["next"]);
}

#[test]
fn a_peer_that_vanishes_mid_line_still_has_its_bytes_shown() {
    let mut h = Harness::new();
    let port = h.listen();
    let mut p = peer(port);
    send(&mut p, "끝나지 않은".as_bytes());
    p.shutdown(Shutdown::Write).unwrap();
    assert_eq!(h.received(1), ["끝나지 않은"]);
    h.wait_for("the disconnect", |e| matches!(e, Event::PeerLeft { .. }));
}

#[test]
fn a_multibyte_character_split_across_two_writes_is_joined() {
    let mut h = Harness::new();
    let port = h.listen();
    let mut p = peer(port);
    let text = "안녕".as_bytes();
    send(&mut p, &text[..2]);
    // Longer than the quiet moment, so the half character is on its own for a while.
    std::thread::sleep(Duration::from_millis(150));
    send(&mut p, &text[2..]);
    send(&mut p, b"\n");
    assert_eq!(h.received(1), ["안녕"]);
}

#[test]
fn a_message_without_newline_is_shown_once_the_peer_is_quiet_and_answered() {
    let mut h = Harness::new();
    let port = h.listen();
    let mut p = peer(port);
    send(&mut p, "hello 한국어".as_bytes());
    assert_eq!(h.received(1), ["hello 한국어"]);
    assert_eq!(read_line(&mut BufReader::new(p)), "Server OK");
}

#[test]
fn invalid_utf8_is_shown_as_replacement_characters() {
    let mut h = Harness::new();
    let port = h.listen();
    let mut p = peer(port);
    send(&mut p, b"bin\xff\xfe\x00ary\n");
    let line = h.received(1).remove(0);
    assert_eq!(line, "bin\u{FFFD}\u{FFFD}\0ary");
}

#[test]
fn a_megabyte_line_without_newline_comes_in_bounded_pieces() {
    let mut h = Harness::new();
    let port = h.listen();
    let mut p = peer(port);
    let big = vec![b'a'; 1_000_000];
    send(&mut p, &big);
    p.shutdown(Shutdown::Write).unwrap();
    let mut total = 0;
    while total < big.len() {
        let piece = h.received(1).remove(0);
        assert!(piece.len() <= MAX_LINE);
        total += piece.len();
    }
    assert_eq!(total, big.len());
}

#[test]
fn lines_of_a_flood_all_arrive_in_order() {
    let mut h = Harness::with(Settings {
        auto_reply: None,
        ..Settings::default()
    });
    let port = h.listen();
    let mut p = peer(port);
    let writer = std::thread::spawn(move || {
        let mut all = Vec::new();
        for i in 0..50_000 {
            all.extend_from_slice(format!("line {i:06}\n").as_bytes());
        }
        p.write_all(&all).unwrap();
        p
    });
    let got = h.received(50_000);
    for (i, line) in got.iter().enumerate() {
        assert_eq!(line, &format!("line {i:06}"));
    }
    drop(writer.join().unwrap());
}

#[test]
fn auto_reply_can_be_changed_or_turned_off_while_peers_are_connected() {
    let mut h = Harness::new();
    let port = h.listen();
    let mut p = peer(port);
    let mut reader = BufReader::new(p.try_clone().unwrap());
    send(&mut p, b"1\n");
    assert_eq!(read_line(&mut reader), "Server OK");
    h.chat.set_auto_reply(Some("ack".into()));
    send(&mut p, b"2\n");
    assert_eq!(read_line(&mut reader), "ack");
    h.chat.set_auto_reply(None);
    send(&mut p, b"3\n");
    h.received(3);
    // With no auto-reply, the next thing the peer reads is what we send.
    h.chat.send("from the window").unwrap();
    assert_eq!(read_line(&mut reader), "from the window");
}

#[test]
fn send_reaches_every_listener_peer_when_there_is_no_outgoing_connection() {
    let mut h = Harness::new();
    let port = h.listen();
    let peers: Vec<TcpStream> = (0..3).map(|_| peer(port)).collect();
    for _ in 0..3 {
        h.wait_for("a peer", |e| matches!(e, Event::PeerConnected { .. }));
    }
    assert_eq!(h.chat.send("to all"), Ok(3));
    for p in peers {
        assert_eq!(read_line(&mut BufReader::new(p)), "to all");
    }
    let sent = h.wait_for("sent", |e| matches!(e, Event::Sent { .. }));
    assert_eq!(ENGLISH.log_line(&sent).1, "[send] to all");
}

#[test]
fn send_goes_over_the_outgoing_connection_when_there_is_one() {
    let server = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = server.local_addr().unwrap().port();
    let mut h = Harness::new();
    let listen_port = h.listen();
    let listener_peer = peer(listen_port);
    h.chat.connect("127.0.0.1", &port.to_string()).unwrap();
    let outgoing = accept_within(&server);
    h.wait_for("connected", |e| matches!(e, Event::Connected { .. }));
    assert_eq!(h.chat.send("only outgoing"), Ok(1));
    outgoing.set_read_timeout(Some(DEADLINE)).unwrap();
    assert_eq!(read_line(&mut BufReader::new(outgoing)), "only outgoing");
    listener_peer
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut buf = [0u8; 16];
    assert!(
        (&listener_peer).read(&mut buf).is_err(),
        "the listener's peer got nothing"
    );
}

#[test]
fn the_client_shows_what_the_peer_sends_back() {
    let server = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = server.local_addr().unwrap().port();
    let mut h = Harness::new();
    h.chat.connect("localhost", &port.to_string()).unwrap();
    let mut conn = accept_within(&server);
    let connected = h.wait_for("connected", |e| matches!(e, Event::Connected { .. }));
    assert!(ENGLISH
        .log_line(&connected)
        .1
        .starts_with(&format!("Connected to localhost:{port}")));
    h.chat.send("hi").unwrap();
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    assert_eq!(read_line(&mut reader), "hi");
    conn.write_all(b"OK").unwrap(); // as the course's server answers: no newline
    assert_eq!(h.received(1), ["OK"]);
    drop((conn, reader));
    let gone = h.wait_for("disconnect", |e| matches!(e, Event::Disconnected { .. }));
    assert!(ENGLISH
        .log_line(&gone)
        .1
        .starts_with("Disconnect : 127.0.0.1"));
    assert!(!h.chat.status().connected);
}

#[test]
fn close_of_the_client_disconnects_and_connect_again_works() {
    let server = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = server.local_addr().unwrap().port().to_string();
    let mut h = Harness::new();
    h.chat.connect("127.0.0.1", &port).unwrap();
    let mut first = accept_within(&server);
    h.wait_for("connected", |e| matches!(e, Event::Connected { .. }));
    assert_eq!(
        h.chat.connect("127.0.0.1", &port),
        Err(Error::AlreadyConnected)
    );
    assert!(h.chat.disconnect());
    first.set_read_timeout(Some(DEADLINE)).unwrap();
    assert!(read_to_end(&mut first).is_empty());
    h.wait_for("disconnect", |e| matches!(e, Event::Disconnected { .. }));
    h.chat.connect("127.0.0.1", &port).unwrap();
    let _second = accept_within(&server);
    h.wait_for("connected again", |e| matches!(e, Event::Connected { .. }));
}

#[test]
fn ipv6_loopback_pairs_and_a_bound_ipv4_listener_is_not_reachable_over_ipv6() {
    let mut h = Harness::new();
    let port = h.listen();
    let mut v6 = TcpStream::connect(("::1", port)).expect("dual-stack listener takes IPv6");
    send(&mut v6, b"over ipv6\n");
    assert_eq!(h.received(1), ["over ipv6"]);

    let mut bound = Harness::with(Settings {
        bind: Some("127.0.0.1".parse().unwrap()),
        ..Settings::default()
    });
    let port = bound.listen();
    assert!(TcpStream::connect(("::1", port)).is_err());
    assert!(TcpStream::connect(("127.0.0.1", port)).is_ok());
}

#[test]
fn our_client_connects_over_ipv6_with_brackets() {
    let server = TcpListener::bind("[::1]:0").unwrap();
    let port = server.local_addr().unwrap().port();
    let mut h = Harness::new();
    h.chat.connect("[::1]", &port.to_string()).unwrap();
    let _conn = accept_within(&server);
    let connected = h.wait_for("connected", |e| matches!(e, Event::Connected { .. }));
    assert_eq!(
        ENGLISH.log_line(&connected).1,
        format!("Connected to [::1]:{port}")
    );
}

#[test]
fn lines_sent_end_as_the_line_ending_option_says() {
    for (ending, expect) in [
        (LineEnding::Lf, &b"x\n"[..]),
        (LineEnding::CrLf, b"x\r\n"),
        (LineEnding::None, b"x"),
    ] {
        let server = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = server.local_addr().unwrap().port();
        let mut h = Harness::with(Settings {
            line_ending: ending,
            ..Settings::default()
        });
        h.chat.connect("127.0.0.1", &port.to_string()).unwrap();
        let mut conn = accept_within(&server);
        h.wait_for("connected", |e| matches!(e, Event::Connected { .. }));
        h.chat.send("x").unwrap();
        h.chat.disconnect();
        conn.set_read_timeout(Some(DEADLINE)).unwrap();
        assert_eq!(read_to_end(&mut conn), expect);
    }
}

#[test]
fn the_listener_turns_away_peers_over_its_limit_with_a_message() {
    let mut h = Harness::with(Settings {
        max_peers: 2,
        ..Settings::default()
    });
    let port = h.listen();
    let _a = peer(port);
    let _b = peer(port);
    for _ in 0..2 {
        h.wait_for("a peer", |e| matches!(e, Event::PeerConnected { .. }));
    }
    let mut c = peer(port);
    let told = String::from_utf8(read_to_end(&mut c)).unwrap();
    assert!(told.contains("listener is full"), "{told}");
    assert!(h.error().contains("the listener is full (2 peers)"));
}

// --- Bad input: one clear error each, and the chat goes on ---

#[test]
fn not_a_port_is_refused_with_a_sentence() {
    let mut h = Harness::new();
    for (typed, says) in [
        ("abc", "\"abc\" is not a port"),
        ("-1", "-1 is not a port"),
        ("70000", "70000 is not a port"),
    ] {
        assert!(h.chat.listen(typed).is_err());
        assert!(h.error().starts_with(says));
        assert!(h.chat.connect("127.0.0.1", typed).is_err());
        assert!(h.error().starts_with(says));
    }
    assert!(!h.chat.status().listening);
    h.listen();
}

#[test]
fn an_address_that_is_not_one_is_refused() {
    let mut h = Harness::new();
    assert!(h.chat.connect("999.1.1.1", "12345").is_err());
    assert!(h.error().contains("is not an IP address or a host name"));
    assert!(h.chat.connect("", "12345").is_err());
    assert!(h.error().contains("address field is empty"));
}

#[test]
fn a_host_name_that_does_not_resolve_is_reported() {
    let mut h = Harness::new();
    h.chat.connect("no-such-host.invalid", "12345").unwrap();
    let error = h.error();
    assert_eq!(error, "the host name \"no-such-host.invalid\" could not be found: check the spelling, or type an IP address");
    assert!(!h.chat.status().connecting);
}

#[test]
fn a_port_in_use_is_reported() {
    let taken = TcpListener::bind("0.0.0.0:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let mut h = Harness::new();
    assert_eq!(
        h.chat.listen(&port.to_string()),
        Err(Error::PortInUse { port })
    );
    assert!(h
        .error()
        .starts_with(&format!("port {port} is already in use")));
}

#[test]
fn nothing_listening_there_is_reported() {
    let port = common::free_port();
    let mut h = Harness::new();
    h.chat.connect("127.0.0.1", &port.to_string()).unwrap();
    assert_eq!(
        h.error(),
        format!("nothing is listening on 127.0.0.1 port {port}: press Listen on the other side first, or check the port")
    );
    assert!(!h.chat.status().connecting && !h.chat.status().connected);
}

#[test]
fn a_host_that_does_not_answer_is_given_up_after_5_seconds() {
    // A listener that never accepts, its backlog filled: further SYNs go unanswered.
    let (socket, fillers) = silent_listener(loopback(0));
    let port = socket.local_addr().unwrap().as_socket().unwrap().port();
    let mut h = Harness::new();
    let started = Instant::now();
    h.chat.connect("127.0.0.1", &port.to_string()).unwrap();
    // Connect returns at once; the window stays live while it tries.
    assert!(h.chat.status().connecting);
    let error = h.error();
    assert!(error.contains("did not answer within 5 seconds"), "{error}");
    // Within 5 s, with 1 s for a busy machine to deliver the event; not long after.
    let took = started.elapsed();
    assert!(
        took >= Duration::from_secs(4) && took < Duration::from_secs(6),
        "gave up after {took:?}, not after 5 s"
    );
    drop(fillers);
}

#[test]
fn close_while_connecting_gives_up_the_attempt() {
    let mut h = Harness::new();
    h.chat.connect("no-such-host.invalid", "1").unwrap();
    assert!(h.chat.disconnect());
    assert!(!h.chat.status().connecting);
    let cancelled = h.wait_for("cancel", |e| {
        matches!(e, Event::Disconnected { peer: None, .. })
    });
    assert_eq!(ENGLISH.log_line(&cancelled).1, "Connect cancelled");
}

#[test]
fn send_with_nothing_connected_says_so() {
    let mut h = Harness::new();
    assert_eq!(h.chat.send("hello?"), Err(Error::NotConnected));
    assert!(h.error().starts_with("not connected"));
    assert_eq!(h.chat.send(""), Err(Error::EmptyMessage));
}

#[test]
fn listening_twice_is_refused_without_losing_the_first() {
    let mut h = Harness::new();
    let port = h.listen();
    assert_eq!(h.chat.listen("0"), Err(Error::AlreadyListening));
    assert_eq!(h.chat.status().port, port);
}

#[test]
fn a_peer_that_never_reads_is_disconnected_and_the_others_are_served() {
    let mut h = Harness::new();
    let port = h.listen();
    h.set_auto_reply_long();
    let mut sulky = peer(port);
    let line = vec![b'x'; 1000];
    let writer = std::thread::spawn(move || {
        let mut chunk = Vec::new();
        for _ in 0..100 {
            chunk.extend_from_slice(&line);
            chunk.push(b'\n');
        }
        // Each line earns a reply it never reads; stop when we are cut off.
        for _ in 0..2000 {
            if sulky.write_all(&chunk).is_err() {
                break;
            }
        }
    });
    let gone = h.wait_for("the sulky peer's disconnect", |e| {
        matches!(
            e,
            Event::PeerLeft {
                reason: LeaveReason::NotReading,
                ..
            }
        )
    });
    assert!(ENGLISH.log_line(&gone).1.contains("stopped reading"));
    writer.join().unwrap();
    let mut other = peer(port);
    send(&mut other, b"fine\n");
    h.wait_for(
        "the other peer's line",
        |e| matches!(e, Event::Received { text, .. } if text == "fine"),
    );
}

trait LongReply {
    fn set_auto_reply_long(&mut self);
}

impl LongReply for Harness {
    /// A 16 KiB auto-reply: a peer that does not read fills the socket buffers (a few MB
    /// on loopback) and then our outbox in a few hundred lines.
    fn set_auto_reply_long(&mut self) {
        self.chat.set_auto_reply(Some("r".repeat(16 * 1024)));
    }
}

#[test]
fn connections_are_set_to_notice_a_peer_that_vanished() {
    let mut h = Harness::new();
    let port = h.listen();
    let _p = peer(port);
    h.wait_for("a peer", |e| matches!(e, Event::PeerConnected { .. }));
    // Our side of the connection: find it among this process's sockets by its peer port.
    let local = _p.local_addr().unwrap();
    let fds = std::fs::read_dir("/proc/self/fd").unwrap();
    let mut checked = false;
    for fd in fds.flatten() {
        let Ok(n) = fd.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        // SAFETY: borrowed for the duration of the check; the fd stays owned elsewhere.
        let borrowed = unsafe { std::os::fd::BorrowedFd::borrow_raw(n) };
        let socket = socket2::SockRef::from(&borrowed);
        if socket
            .peer_addr()
            .ok()
            .and_then(|a| a.as_socket())
            .map(tcp_chat::engine::address::canonical)
            == Some(local)
        {
            assert!(socket.keepalive().unwrap());
            assert_eq!(
                socket.keepalive_time().unwrap(),
                tcp_chat::engine::connection::KEEPALIVE_IDLE
            );
            assert_eq!(
                socket.tcp_user_timeout().unwrap(),
                Some(tcp_chat::engine::connection::UNACKED_LIMIT)
            );
            checked = true;
        }
    }
    assert!(checked, "our side of the connection was not found");
}

#[test]
fn a_slow_silent_or_binary_peer_does_not_hold_up_the_others() {
    let mut h = Harness::with(Settings {
        auto_reply: None,
        ..Settings::default()
    });
    let port = h.listen();
    let _silent = peer(port);
    let mut slow = peer(port);
    let mut binary = peer(port);
    let mut chatty = peer(port);
    let blob: Vec<u8> = (0..10 * 1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8)
        .collect();
    // Ended below once the checks are done: the flood need not get through (under qemu
    // it does not, in that time), it only has to run while the others chat.
    let stop_flood = binary.try_clone().unwrap();
    let flood = std::thread::spawn(move || {
        let _ = binary.write_all(&blob);
        binary
    });
    for (i, byte) in b"slow".iter().enumerate() {
        send(&mut slow, &[*byte]);
        send(&mut chatty, format!("chat {i}\n").as_bytes());
        h.wait_for(
            "the chatty peer's line",
            |e| matches!(e, Event::Received { text, .. } if *text == format!("chat {i}")),
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = stop_flood.shutdown(std::net::Shutdown::Both);
    drop(flood.join().unwrap());
}

/// A listening socket on `addr` whose backlog is full: SYNs to it go unanswered.
fn silent_listener(addr: SocketAddr) -> (socket2::Socket, Vec<TcpStream>) {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    socket.bind(&addr.into()).unwrap();
    socket.listen(0).unwrap();
    let addr = socket.local_addr().unwrap().as_socket().unwrap();
    let mut fillers = Vec::new();
    for _ in 0..4 {
        if let Ok(s) = TcpStream::connect_timeout(&addr, Duration::from_millis(300)) {
            fillers.push(s);
        }
    }
    (socket, fillers)
}

#[test]
fn when_the_first_address_does_not_answer_the_next_is_tried_after_a_short_delay() {
    // The same port on two loopback addresses: 127.0.0.2 never answers, 127.0.0.1 does.
    let server = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = server.local_addr().unwrap().port();
    let (_silent, _fillers) = silent_listener(SocketAddr::from(([127, 0, 0, 2], port)));
    let addrs = [
        SocketAddr::from(([127, 0, 0, 2], port)),
        SocketAddr::from(([127, 0, 0, 1], port)),
    ];
    let started = Instant::now();
    let (_stream, reached) =
        tcp_chat::engine::dial::connect_any(&addrs, Instant::now() + Duration::from_secs(5))
            .expect("the second address answers");
    let took = started.elapsed();
    assert_eq!(reached, addrs[1]);
    assert!(
        took >= Duration::from_millis(200) && took < Duration::from_millis(1500),
        "the second attempt should start after about 250 ms, not after the 5 s limit: {took:?}"
    );
}

#[test]
fn a_transcript_that_cannot_be_written_is_one_error_and_the_chat_goes_on() {
    let mut h = Harness::new();
    let _transcript = tcp_chat::engine::transcript::Transcript::start(
        Path::new("/dev/full"),
        tcp_chat::engine::transcript::DEFAULT_TRANSCRIPT_MAX,
        h.queue.clone(),
        words(),
    )
    .expect("/dev/full opens; its writes fail");
    let port = h.listen();
    let mut p = peer(port);
    let mut reader = BufReader::new(p.try_clone().unwrap());
    for i in 0..3 {
        send(&mut p, format!("line {i}\n").as_bytes());
        assert_eq!(read_line(&mut reader), "Server OK");
        assert_eq!(h.received(1), [format!("line {i}")]);
    }
    assert_eq!(
        h.error(),
        "cannot write the transcript /dev/full any more (the disk is full): the chat goes on without it"
    );
    // More lines, more room needed: nothing waits for the failed transcript any more.
    h.chat.set_auto_reply(None);
    let flood: String = (0..50_000).map(|i| format!("more {i}\n")).collect();
    send(&mut p, flood.as_bytes());
    let got = h.received(50_000);
    assert_eq!(got.last().map(String::as_str), Some("more 49999"));
    h.settle();
    assert!(
        !h.seen.iter().any(|e| matches!(e, Event::Error(_))),
        "a second error: {:?}",
        h.seen
    );
}

/// A transcript of `h`'s queue at `path`, moved to `path.1` past `limit` bytes.
fn transcript_at(h: &Harness, path: &Path, limit: u64) -> tcp_chat::engine::transcript::Transcript {
    let _ = std::fs::remove_file(path);
    let mut old = path.as_os_str().to_owned();
    old.push(".1");
    let _ = std::fs::remove_file(&old);
    tcp_chat::engine::transcript::Transcript::start(path, limit, h.queue.clone(), words()).unwrap()
}

#[test]
fn each_transcript_line_starts_with_its_iso_8601_time_in_milliseconds() {
    let mut h = Harness::new();
    let path = common::app::scratch("transcript-times").join("times.txt");
    let _transcript = transcript_at(&h, &path, 1 << 20);
    let before = chrono::Local::now();
    let port = h.listen();
    let mut p = peer(port);
    send(&mut p, "시간 1\n".as_bytes());
    assert_eq!(h.received(1), ["시간 1"]);
    let text = wait_for_file(&path, |t| t.contains("[rcv] 시간 1"));
    let after = chrono::Local::now();
    let mut last = before - chrono::Duration::milliseconds(1);
    for line in text.lines() {
        let (time, rest) = line.split_once(' ').unwrap();
        assert_eq!(time.len(), "2026-11-26T14:05:09.123+09:00".len(), "{line}");
        let at = chrono::DateTime::parse_from_rfc3339(time).unwrap();
        assert!(
            at >= last && at <= after,
            "{line}: not in order, or not now"
        );
        last = at.into();
        assert_eq!(common::without_time(line), rest);
    }
    assert!(text
        .lines()
        .any(|l| common::without_time(l).starts_with("Start Listening (port ")));
}

#[test]
fn a_full_transcript_moves_to_dot_1_and_no_line_is_lost_or_split() {
    const LINES: usize = 2_000;
    let mut h = Harness::with(tcp_chat::engine::Settings {
        auto_reply: None,
        ..Default::default()
    });
    let dir = common::app::scratch("transcript-rotation");
    let path = dir.join("chat.txt");
    let limit = 16 * 1024;
    let _transcript = transcript_at(&h, &path, limit);
    let port = h.listen();
    let mut p = peer(port);
    let flood: String = (0..LINES)
        .map(|i| format!("줄 {i:05} of the flood\n"))
        .collect();
    send(&mut p, flood.as_bytes());
    assert_eq!(h.received(LINES).len(), LINES);
    // FILE.1 is replaced at each move: what it and FILE hold together is the newest
    // lines, each whole, in order, with no gap.
    let old = dir.join("chat.txt.1");
    let text = wait_for_file(&path, |t| t.contains(&format!("줄 {:05} of", LINES - 1)));
    let older = std::fs::read_to_string(&old).expect("the full transcript went to chat.txt.1");
    for (name, file) in [("chat.txt.1", &older), ("chat.txt", &text)] {
        assert!(file.len() as u64 <= limit, "{name} is {} bytes", file.len());
        assert!(file.ends_with('\n'), "{name} ends in the middle of a line");
    }
    let moved = format!(
        "The transcript reached 16 KiB: it was moved to {}, and {} starts again",
        old.display(),
        path.display()
    );
    assert_eq!(
        common::without_time(text.lines().next().unwrap()),
        moved,
        "the new file starts by saying so"
    );
    let numbers: Vec<usize> = older
        .lines()
        .chain(text.lines())
        .map(common::without_time)
        .filter_map(|l| l.strip_prefix("[rcv] 줄 "))
        .map(|rest| {
            assert!(
                rest.ends_with(" of the flood"),
                "a line was split: {rest:?}"
            );
            rest[..5].parse().unwrap()
        })
        .collect();
    assert_eq!(numbers.last(), Some(&(LINES - 1)));
    let first = numbers[0];
    assert_eq!(
        numbers,
        (first..LINES).collect::<Vec<_>>(),
        "a gap or a repeat"
    );
}

/// Waits until the file at `path` holds what `done` wants; returns its text.
fn wait_for_file(path: &Path, done: impl Fn(&str) -> bool) -> String {
    let deadline = std::time::Instant::now() + common::DEADLINE;
    loop {
        let text = complete_lines(path);
        if done(&text) {
            return text;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{} never had what was due:\n{text}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A listening chat in room mode (no auto-reply unless `answer`), and `n` peers, each
/// seen connected.
fn room(answer: bool, n: usize) -> (Harness, Vec<(TcpStream, BufReader<TcpStream>, u16)>) {
    let mut h = Harness::with(Settings {
        relay: true,
        auto_reply: answer.then(|| "Server OK".to_string()),
        ..Settings::default()
    });
    let port = h.listen();
    let peers = (0..n)
        .map(|i| {
            let p = peer(port);
            let local = p.local_addr().unwrap().port();
            h.wait_for(
                "peer connected",
                |e| matches!(e, Event::PeerConnected { peer } if peer.port() == local),
            );
            let _ = i;
            let reader = BufReader::new(p.try_clone().unwrap());
            (p, reader, local)
        })
        .collect();
    (h, peers)
}

#[test]
fn room_mode_passes_each_peers_lines_to_the_others_and_answers_only_the_sender() {
    let (mut h, mut peers) = room(true, 3);
    let one_port = peers[0].2;
    send(&mut peers[0].0, "hello 안녕\n".as_bytes());
    let relayed = format!("(127.0.0.1 {one_port}) hello 안녕");
    assert_eq!(read_line(&mut peers[1].1), relayed);
    assert_eq!(read_line(&mut peers[2].1), relayed);
    assert_eq!(
        read_line(&mut peers[0].1),
        "Server OK",
        "the sender gets the auto-reply"
    );
    let two_port = peers[1].2;
    send(&mut peers[1].0, b"from two\n");
    // The sender's next line is the other's, not its own line back.
    assert_eq!(
        read_line(&mut peers[0].1),
        format!("(127.0.0.1 {two_port}) from two")
    );
    assert_eq!(read_line(&mut peers[1].1), "Server OK");
    // The log shows each line once, as received.
    assert_eq!(h.received(2), ["hello 안녕", "from two"]);
    h.settle();
    assert!(
        !h.seen.iter().any(|e| matches!(e, Event::Sent { .. })),
        "relayed lines are not logged again"
    );

    // Off: lines stay with us; our own Send still goes to all.
    h.chat.set_relay(false);
    send(&mut peers[0].0, b"just for the listener\n");
    assert_eq!(h.received(1), ["just for the listener"]);
    h.chat.send("to everyone").unwrap();
    assert_eq!(
        read_line(&mut peers[2].1),
        format!("(127.0.0.1 {two_port}) from two")
    );
    assert_eq!(read_line(&mut peers[2].1), "to everyone");
}

#[test]
fn in_room_mode_a_peer_that_does_not_read_never_holds_the_others_up() {
    const LINES: usize = 80_000;
    let (h, mut peers) = room(false, 3);
    // The log takes everything as it comes, as the window does.
    let queue = h.queue.clone();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let log = {
        let done = done.clone();
        std::thread::spawn(move || {
            let mut seen = Vec::new();
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                seen.extend(queue.wait_drain(Duration::from_millis(50)));
            }
            seen
        })
    };
    let one_port = peers[0].2;
    let (_stuck, _, stuck_port) = peers.pop().unwrap();
    let (_, mut reader, _) = peers.pop().unwrap();
    let (mut sender, _, _) = peers.pop().unwrap();
    let writer = std::thread::spawn(move || {
        let flood: String = (0..LINES)
            .map(|i| format!("line {i:06} {}\n", "x".repeat(80)))
            .collect();
        sender.write_all(flood.as_bytes()).unwrap();
        sender
    });
    // The reading peer gets every byte, in order, while the other reads nothing. Bytes,
    // not lines: where the sender pauses mid-line for longer than the quiet flush (seen
    // under qemu), the part that came is relayed as a line of its own, as it is shown.
    let expected: String = (0..LINES)
        .map(|i| format!("line {i:06} {}", "x".repeat(80)))
        .collect();
    let prefix = format!("(127.0.0.1 {one_port}) ");
    let mut got = 0;
    while got < expected.len() {
        let line = read_line(&mut reader);
        let text = line
            .strip_prefix(&prefix)
            .unwrap_or_else(|| panic!("a relayed line without its sender: {line:?}"));
        assert!(
            expected[got..].starts_with(text),
            "relayed bytes out of order after {got} of them: {line:?}"
        );
        got += text.len();
    }
    assert_eq!(got, expected.len());
    let _sender = writer.join().unwrap();
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let seen = log.join().unwrap();
    // The one that read nothing was let go, as any peer that stops reading is.
    assert!(seen.iter().any(|e| matches!(
        e,
        Event::PeerLeft { peer, reason: LeaveReason::NotReading } if peer.port() == stuck_port
    )));
    drop(h);
}

/// The transcript's words: the log's, in English.
fn words() -> tcp_chat::engine::event::LineWords {
    std::sync::Arc::new(|event, line| ENGLISH.write_log_line(event, line))
}

/// A folder of its own for one test's files.
fn scratch_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("tcp-chat-engine-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_stop_request_ends_the_sessions_transcript_before_the_stop_counts_as_finished() {
    use tcp_chat::engine::session::{Config, Session, Wake};
    use tcp_chat::engine::stop::{Cause, Stop};
    let dir = scratch_dir("stop");
    let transcript = dir.join("transcript.txt");
    let config = Config {
        settings: Settings {
            bind: Some("127.0.0.1".parse().unwrap()),
            ..Settings::default()
        },
        transcript: Some(transcript.clone()),
        ..Config::new(Settings::default(), words())
    };
    let stop = Stop::new();
    let mut session = Session::open(&config, Wake::Never, || {}, &stop);
    let port = session.chat().listen("0").unwrap();
    let mut p = peer(port);
    send(&mut p, "before the stop 정지\n".as_bytes());
    let mut reader = BufReader::new(p.try_clone().unwrap());
    assert_eq!(read_line(&mut reader), "Server OK", "the line was taken");
    assert!(
        !stop.wait_finished(Duration::from_millis(50)),
        "not finished before it is asked"
    );
    // As SIGTERM does, from another thread, while this one still holds the session.
    let asking = stop.clone();
    std::thread::spawn(move || asking.request(Cause::Signal(15)))
        .join()
        .unwrap();
    assert!(stop.wait_finished(DEADLINE), "the session's part finished");
    let written = std::fs::read_to_string(&transcript).unwrap();
    assert!(written.contains("Start Listening"), "{written}");
    assert!(written.contains("[rcv] before the stop 정지"), "{written}");
    // The session itself ends when its owner drops it: the port is free again.
    drop(session);
    assert!(
        TcpListener::bind(("127.0.0.1", port)).is_ok(),
        "port {port} freed"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn dropping_a_session_closes_its_connections_and_its_part_of_the_stop_is_done() {
    use tcp_chat::engine::session::{Config, Session, Wake};
    use tcp_chat::engine::stop::{Cause, Stop};
    let config = Config {
        settings: Settings {
            bind: Some("127.0.0.1".parse().unwrap()),
            ..Settings::default()
        },
        ..Config::new(Settings::default(), words())
    };
    let stop = Stop::new();
    let mut session = Session::open(&config, Wake::Never, || {}, &stop);
    let port = session.chat().listen("0").unwrap();
    let mut p = peer(port);
    send(&mut p, b"hello\n");
    let mut reader = BufReader::new(p.try_clone().unwrap());
    assert_eq!(read_line(&mut reader), "Server OK");
    drop(session);
    // The session's part is done with its drop: the stop, asked now, waits for nothing.
    stop.request(Cause::Asked);
    assert!(stop.wait_finished(Duration::ZERO));
    // The peer sees the connection end (FIN), and the port is free.
    let (_, closed) = read_until_closed(&mut p, DEADLINE);
    assert!(matches!(closed, Closed::Eof), "{closed:?}");
    assert!(
        TcpListener::bind(("127.0.0.1", port)).is_ok(),
        "port {port} freed"
    );
}

/// A listener with the wire view on and a partial line waiting `quiet` before it shows,
/// one peer connected (no auto-reply unless `reply`).
fn wired(quiet: Duration, reply: Option<&str>) -> (Harness, TcpStream) {
    let mut h = Harness::with(Settings {
        wire: true,
        quiet,
        auto_reply: reply.map(str::to_string),
        ..Settings::default()
    });
    let port = h.listen();
    let peer = peer(port);
    h.wait_for("the peer's connect", |e| {
        matches!(e, Event::PeerConnected { .. })
    });
    (h, peer)
}

/// Waits for the wire view's report of `len` bytes going `dir`; returns what it showed.
fn wire_of(h: &mut Harness, dir: WireDir, len: usize) -> Vec<u8> {
    match h.wait_for(
        &format!("a {len}-byte {dir:?} on the wire"),
        |e| matches!(e, Event::Wire { dir: d, len: l, .. } if *d == dir && *l == len),
    ) {
        Event::Wire { head, .. } => head.to_vec(),
        _ => unreachable!(),
    }
}

/// What the wire view and the lines received said, in order, of `events`.
fn wire_and_lines(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Wire { dir, len, .. } => Some(format!("{dir:?} {len}")),
            Event::Received { text, .. } => Some(format!("[rcv] {text}")),
            Event::Sent { text, .. } => Some(format!("[send] {text}")),
            _ => None,
        })
        .collect()
}

#[test]
fn each_read_is_shown_before_the_lines_it_completed_and_a_split_line_is_joined() {
    // A partial line waits 5 s here: the two writes are two reads, for certain.
    let (mut h, mut peer) = wired(Duration::from_secs(5), None);
    send(&mut peer, b"hel");
    assert_eq!(wire_of(&mut h, WireDir::In, 3), b"hel");
    send(&mut peer, b"lo\na\nb\n");
    h.wait_for(
        "the last line",
        |e| matches!(e, Event::Received { text, .. } if text == "b"),
    );
    assert_eq!(
        wire_and_lines(&h.seen),
        ["In 7", "[rcv] hello", "[rcv] a"],
        "the second read, then the lines it completed"
    );
    h.seen.clear();
    // A Korean character whose bytes came in two reads: two wire lines, one character.
    send(&mut peer, &[0xea, 0xb0]);
    assert_eq!(wire_of(&mut h, WireDir::In, 2), [0xea, 0xb0]);
    send(&mut peer, &[0x80, b'\n']);
    h.wait_for(
        "the joined character",
        |e| matches!(e, Event::Received { text, .. } if text == "가"),
    );
    assert_eq!(wire_and_lines(&h.seen), ["In 2"]);
}

#[test]
fn the_auto_replys_write_and_a_sent_lines_write_follow_their_lines() {
    let (mut h, mut peer) = wired(connection::QUIET, Some("Server OK"));
    send(&mut peer, b"hi\n");
    h.wait_for(
        "the line",
        |e| matches!(e, Event::Received { text, .. } if text == "hi"),
    );
    assert_eq!(wire_of(&mut h, WireDir::Out, 10), b"Server OK\n");
    h.seen.clear();
    h.chat.send("hey").unwrap();
    assert_eq!(wire_of(&mut h, WireDir::Out, 4), b"hey\n");
    assert_eq!(
        wire_and_lines(&h.seen),
        ["[send] hey"],
        "the line, then its write"
    );
    // Off: lines, and nothing of the wire.
    h.chat.set_wire(false);
    h.seen.clear();
    send(&mut peer, b"quiet now\n");
    h.wait_for(
        "the line",
        |e| matches!(e, Event::Received { text, .. } if text == "quiet now"),
    );
    let mut reader = BufReader::new(peer);
    assert_eq!(read_line(&mut reader), "Server OK");
    assert_eq!(read_line(&mut reader), "hey");
    assert_eq!(read_line(&mut reader), "Server OK");
    h.settle();
    assert!(
        !h.seen.iter().any(|e| matches!(e, Event::Wire { .. })),
        "{:?}",
        h.seen
    );
}

#[test]
fn reset_ends_a_peer_with_rst_and_no_fin_before_it_and_each_side_says_so() {
    let mut h = Harness::new();
    let port = h.listen();
    let mut one = peer(port);
    h.wait_for("the peer's connect", |e| {
        matches!(e, Event::PeerConnected { .. })
    });
    h.chat.reset(Some(1)).expect("peer 1 is there");
    // A FIN first would read as the end of the stream (Eof), not as a reset.
    let (said, closed) = read_until_closed(&mut one, DEADLINE);
    assert_eq!((said.as_slice(), closed), (&b""[..], Closed::Reset));
    h.wait_for("the reset's report", |e| {
        matches!(
            e,
            Event::PeerLeft {
                reason: LeaveReason::ResetByUs,
                ..
            }
        )
    });
    assert_eq!(
        ENGLISH
            .log_line(&Event::PeerLeft {
                peer: loopback(50312),
                reason: LeaveReason::ResetByUs
            })
            .1,
        "Disconnect : 127.0.0.1 50312 (reset here: RST, with no FIN before it)"
    );
    assert!(h.chat.reset(Some(1)).is_err(), "peer 1 is gone");

    // The connection we made, reset: the other side reads a reset.
    let server = TcpListener::bind("127.0.0.1:0").unwrap();
    let server_port = server.local_addr().unwrap().port();
    h.chat
        .connect("127.0.0.1", &server_port.to_string())
        .unwrap();
    let mut accepted = accept_within(&server);
    h.wait_for("connected", |e| matches!(e, Event::Connected { .. }));
    h.chat.reset(None).expect("the connection we made");
    let (_, closed) = read_until_closed(&mut accepted, DEADLINE);
    assert_eq!(closed, Closed::Reset);
    h.wait_for("our reset's report", |e| {
        matches!(
            e,
            Event::Disconnected {
                reason: LeaveReason::ResetByUs,
                ..
            }
        )
    });

    // A peer that resets us: the log says so, not "closed".
    let two = peer(port);
    h.wait_for("the second peer", |e| {
        matches!(e, Event::PeerConnected { .. })
    });
    socket2::SockRef::from(&two)
        .set_linger(Some(Duration::ZERO))
        .unwrap();
    drop(two);
    h.wait_for("the peer's reset", |e| {
        matches!(
            e,
            Event::PeerLeft {
                reason: LeaveReason::ResetByPeer,
                ..
            }
        )
    });
}

#[test]
fn a_peer_that_half_closes_still_gets_its_auto_reply_and_the_log_says_it_finished() {
    // With the wire view on, every FIN after an answer is said (without it, only when
    // something was still going out).
    let mut h = Harness::with(Settings {
        wire: true,
        ..Settings::default()
    });
    let port = h.listen();
    let mut one = peer(port);
    h.wait_for("the peer's connect", |e| {
        matches!(e, Event::PeerConnected { .. })
    });
    // As `printf 'hi\n' | nc -N`: a line, then our FIN, still reading.
    send(&mut one, b"hi\n");
    one.shutdown(Shutdown::Write).unwrap();
    let (said, closed) = read_until_closed(&mut one, DEADLINE);
    assert_eq!(
        (said.as_slice(), closed),
        (&b"Server OK\n"[..], Closed::Eof)
    );
    let finished = h.wait_for("its finish", |e| matches!(e, Event::PeerFinished { .. }));
    assert!(ENGLISH
        .log_line(&finished)
        .1
        .contains(" finished sending (its FIN came): what is owed to it is still sent"));
    h.wait_for("then its end", |e| {
        matches!(
            e,
            Event::PeerLeft {
                reason: LeaveReason::Closed,
                ..
            }
        )
    });
}

#[test]
fn hex_pairs_send_exactly_those_bytes_and_a_stray_part_sends_nothing() {
    let mut h = Harness::new();
    let port = h.listen();
    let mut one = peer(port);
    h.wait_for("the peer's connect", |e| {
        matches!(e, Event::PeerConnected { .. })
    });
    assert!(h.chat.send_hex("48 zz 0a").is_err());
    assert_eq!(
        h.error(),
        "\"zz\" is not hex pairs, so nothing was sent: write each byte as two hex digits, such as 48 65 6c 6c 6f 0a"
    );
    // With and without spaces, a byte that is not UTF-8 too, no line ending added.
    h.chat.send_hex("48656c 6c 6f ff 0a").unwrap();
    let sent = h.wait_for("the [send] line", |e| matches!(e, Event::Sent { .. }));
    assert_eq!(ENGLISH.log_line(&sent).1, "[send] Hello\\xFF\\x0A");
    let mut got = [0u8; 7];
    one.set_read_timeout(Some(DEADLINE)).unwrap();
    one.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"Hello\xff\n", "the stray part sent nothing before");
}

/// The house's own check: ports for a program under test come from outside the range the
/// kernel draws connections' source ports from, so no other test's client can take one
/// between the choice and the program's bind.
#[test]
fn test_ports_lie_outside_the_source_ports_the_kernel_hands_out() {
    let text = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").unwrap();
    let range: Vec<u16> = text
        .split_whitespace()
        .map(|w| w.parse().unwrap())
        .collect();
    let ephemeral = range[0]..=range[1];
    // The range is the one the kernel uses: a client's source port falls in it.
    let server = TcpListener::bind("127.0.0.1:0").unwrap();
    let client = TcpStream::connect(server.local_addr().unwrap()).unwrap();
    assert!(ephemeral.contains(&client.local_addr().unwrap().port()));
    let ports: Vec<u16> = (0..50).map(|_| common::free_port()).collect();
    for port in &ports {
        assert!(!ephemeral.contains(port), "{port} is in {ephemeral:?}");
        TcpListener::bind(("0.0.0.0", *port)).unwrap();
    }
    let mut distinct = ports.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), ports.len(), "a port was handed out twice");
}
