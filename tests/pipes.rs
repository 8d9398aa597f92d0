//! `tcp-chat --terminal` in scripts: stdin and stdout are pipes. Each stdin line is a
//! message; at the end of stdin, what is queued is sent, replies are printed for a
//! second of quiet, and it exits (0 done, 1 a connection or listen error, 2 usage).

mod common;

use common::{free_port, DEADLINE};
use std::io::{BufRead, BufReader, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tcp_chat::engine::{Chat, EventQueue, Settings};

fn tcp_chat(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tcp-chat"));
    command
        .arg("--terminal")
        // No mDNS on this machine's network: tests talk to loopback only.
        .arg("--no-discovery")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// Waits for `child` to leave within `limit`, and returns what it printed.
fn finish(mut child: Child, limit: Duration) -> (Output, Duration) {
    let started = Instant::now();
    let deadline = started + limit;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "tcp-chat --terminal was still running after {limit:?}; it printed:\n{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    (child.wait_with_output().unwrap(), started.elapsed())
}

/// A tcp-chat engine listening on loopback with its default auto-reply ("Server OK").
fn listening_chat() -> (Chat, u16) {
    let queue = std::sync::Arc::new(EventQueue::new(64 * 1024, || {}));
    let settings = Settings {
        bind: Some("127.0.0.1".parse().unwrap()),
        ..Settings::default()
    };
    let mut chat = Chat::new(settings, queue);
    let port = chat.listen("0").unwrap();
    (chat, port)
}

#[test]
fn a_line_piped_in_is_sent_and_the_reply_printed() {
    let (_chat, port) = listening_chat();
    let mut child = tcp_chat(&["--connect", &format!("127.0.0.1:{port}")])
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"hello\n").unwrap();
    let (out, took) = finish(child, DEADLINE);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines.contains(&"[rcv] Server OK"), "{stdout}");
    assert!(lines.contains(&"[send] hello"), "{stdout}");
    assert!(!stdout.contains('\x1b'), "no colours in a pipe: {stdout:?}");
    assert!(
        took < Duration::from_secs(3),
        "it left {took:?} after the end of stdin (a second of quiet is the rule)"
    );
}

#[test]
fn stdin_closed_at_once_connects_and_leaves_after_a_second_of_quiet() {
    let (_chat, port) = listening_chat();
    let child = tcp_chat(&["--connect", &format!("127.0.0.1:{port}")])
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let (out, took) = finish(child, DEADLINE);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("Connected to 127.0.0.1"), "{stdout}");
    assert!(took >= Duration::from_secs(1), "left after {took:?}");
    assert!(took < Duration::from_secs(3), "left after {took:?}");
}

#[test]
fn a_100000_line_file_arrives_whole_and_in_order_at_a_slow_peer() {
    const LINES: usize = 100_000;
    // A peer with a small receive buffer (no autotuning): what it has not read stays
    // with the sender.
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    socket.set_recv_buffer_size(8 * 1024).unwrap();
    socket
        .bind(&std::net::SocketAddr::from(([127, 0, 0, 1], 0)).into())
        .unwrap();
    socket.listen(1).unwrap();
    let listener: TcpListener = socket.into();
    let port = listener.local_addr().unwrap().port();
    let file = common::app::scratch("pipes").join("100000.txt");
    let korean = "가나다라마바사아자차카타파하".repeat(2);
    let line = |i: usize| format!("line {i} {korean}\n");
    let text: String = (0..LINES).map(line).collect();
    std::fs::write(&file, &text).unwrap();
    // About 10 MB: more than the kernel's send buffer (4 MB at most here) and a peer's
    // outbox (256 KiB) together. Sent without waiting for the peer, the peer would count
    // as not reading and be disconnected.
    assert!(text.len() > 4 * 1024 * 1024 + 2 * tcp_chat::engine::connection::OUTBOX_LIMIT);

    let child = tcp_chat(&["--connect", &format!("127.0.0.1:{port}")])
        .stdin(Stdio::from(std::fs::File::open(&file).unwrap()))
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stream = common::accept_within(&listener);
    // A slow peer: nothing read for a second, while tcp-chat fills the socket buffers
    // and its outbox.
    std::thread::sleep(Duration::from_secs(1));
    let mut reader = BufReader::new(stream);
    let mut got = String::new();
    for i in 0..LINES {
        got.clear();
        reader.read_line(&mut got).unwrap();
        assert_eq!(got, line(i), "line {i}");
    }
    let mut rest = reader.buffer().to_vec();
    rest.extend(common::read_until_closed(reader.get_mut(), DEADLINE).0);
    assert!(rest.is_empty(), "more came than was sent");
    let (out, _) = finish(child, DEADLINE);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_listener_in_a_pipe_waits_for_a_peer_then_sends_to_it() {
    let port = free_port();
    let mut child = tcp_chat(&[
        "--listen",
        "--bind",
        "127.0.0.1",
        "--port",
        &port.to_string(),
    ])
    .spawn()
    .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all("for the first peer 첫\n".as_bytes())
        .unwrap();
    drop(stdin);
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let (_stdout, first) = common::pipe_line(stdout, "tcp-chat's first log line");
    let first = first.expect("a log line before the pipe closed");
    assert!(first.starts_with("Start Listening"), "{first}");
    let mut peer = common::peer(port);
    let mut reader = BufReader::new(peer.try_clone().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert_eq!(line, "for the first peer 첫\n");
    peer.write_all(b"thanks\n").unwrap();
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert_eq!(line, "Server OK\n", "the listener's auto-reply");
    drop(peer);
    let (out, _) = finish(child, DEADLINE);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn sigterm_ends_a_terminal_waiting_on_its_input_with_143_once_its_transcript_is_written() {
    let port = free_port();
    let dir = std::env::temp_dir().join(format!("tcp-chat-pipe-sigterm-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let transcript = dir.join("transcript.txt");
    let mut child = tcp_chat(&[
        "--listen",
        "--bind",
        "127.0.0.1",
        "--port",
        &port.to_string(),
        "--transcript",
        transcript.to_str().unwrap(),
    ])
    .spawn()
    .unwrap();
    // stdin stays open: the terminal waits on it, in a read nothing interrupts.
    let stdin = child.stdin.take().unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let (_stdout, first) = common::pipe_line(stdout, "tcp-chat's first log line");
    assert!(first.unwrap_or_default().starts_with("Start Listening"));
    let mut peer = common::peer(port);
    peer.write_all("before the signal 신호\n".as_bytes())
        .unwrap();
    let mut reader = BufReader::new(peer.try_clone().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert_eq!(line, "Server OK\n", "the line was taken");
    assert!(
        child.try_wait().unwrap().is_none(),
        "running before the signal"
    );
    // SAFETY: kill(2) with our own child's pid and a plain signal.
    assert_eq!(
        unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) },
        0
    );
    let (out, took) = finish(child, DEADLINE);
    assert_eq!(
        out.status.code(),
        Some(128 + 15),
        "128 + SIGTERM, as a shell says"
    );
    // Ended as soon as the session had finished, not when the grace ran out.
    assert!(
        took < tcp_chat::signals::GRACE,
        "took {took:?}, the grace is {:?}",
        tcp_chat::signals::GRACE
    );
    let written = std::fs::read_to_string(&transcript).unwrap();
    assert!(
        written.contains("[rcv] before the signal 신호"),
        "{written}"
    );
    drop(stdin);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `tcp-chat --terminal` listening on 127.0.0.1 (with `more` options) and stdin left
/// open; its stdout and stderr lines are collected as they come.
fn listening_binary(
    port: u16,
    more: &[&str],
) -> (Child, std::process::ChildStdin, Arc<Mutex<Vec<String>>>) {
    let port = port.to_string();
    let mut args = vec!["--listen", "--bind", "127.0.0.1", "--port", &port];
    args.extend_from_slice(more);
    let mut child = tcp_chat(&args).spawn().unwrap();
    let stdin = child.stdin.take().unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let (stdout, first) = common::pipe_line(stdout, "tcp-chat's first log line");
    assert!(first.unwrap_or_default().starts_with("Start Listening"));
    let lines = Arc::new(Mutex::new(Vec::new()));
    let collected = lines.clone();
    std::thread::spawn(move || {
        for line in stdout.lines().map_while(Result::ok) {
            collected.lock().unwrap().push(line);
        }
    });
    // `Error :` lines go to stderr.
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let collected = lines.clone();
    std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            collected.lock().unwrap().push(line);
        }
    });
    (child, stdin, lines)
}

#[test]
fn two_hundred_idle_connections_from_one_address_leave_room_for_another_at_once() {
    let port = free_port();
    let (mut child, stdin, _lines) = listening_binary(port, &[]);
    // A student's script that connects in a loop and never closes.
    let hog: Vec<TcpStream> = (0..200)
        .map(|_| common::connect_from(Ipv4Addr::new(127, 0, 0, 2), port))
        .collect();
    // Past its share (8), each is told so in one sentence and closed.
    let mut refused = hog.last().unwrap().try_clone().unwrap();
    let (told, closed) = common::read_until_closed(&mut refused, DEADLINE);
    assert_eq!(
        String::from_utf8_lossy(&told),
        "tcp-chat: too many connections from your address, close one and try again\n"
    );
    assert!(matches!(closed, common::Closed::Eof), "{closed:?}");
    // Another computer gets in and is answered at once.
    let started = Instant::now();
    let mut other = common::peer(port);
    other.write_all(b"let me in\n").unwrap();
    let mut reader = BufReader::new(other);
    assert_eq!(common::read_line(&mut reader), "Server OK");
    let took = started.elapsed();
    assert!(took < Duration::from_secs(2), "served after {took:?}");
    drop((hog, stdin));
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn a_script_connecting_and_leaving_2000_times_leaves_a_handful_of_log_lines_and_the_chat_intact() {
    let port = free_port();
    let (mut child, stdin, lines) = listening_binary(port, &[]);
    let mut friend = common::peer(port);
    let script = Ipv4Addr::new(127, 0, 0, 3);
    for _ in 0..2000 {
        drop(common::connect_from(script, port));
    }
    friend.write_all("still here 여기\n".as_bytes()).unwrap();
    let mut reader = BufReader::new(friend.try_clone().unwrap());
    assert_eq!(common::read_line(&mut reader), "Server OK");
    // Every attempt of the script counted, as a connect or (past its share of 8, while
    // the listener has not yet seen the last ones leave) a refusal: shown one by one, or
    // in a summary (the last one comes a second after the last attempt).
    let connects = |lines: &[String]| -> u64 {
        let one_by_one = lines
            .iter()
            .filter(|l| {
                l.starts_with("Connect : 127.0.0.3 ") || l.starts_with("Error : 127.0.0.3 ")
            })
            .count() as u64;
        let summed: u64 = lines
            .iter()
            .filter_map(|l| l.strip_prefix("127.0.0.3: "))
            .map(|l| {
                // `X connects, Y disconnects and Z refusals in ...`
                let words: Vec<&str> = l.split(' ').collect();
                let number = |i: usize| words.get(i).and_then(|w| w.parse::<u64>().ok());
                number(0).unwrap_or(0) + number(5).unwrap_or(0)
            })
            .sum();
        one_by_one + summed
    };
    let deadline = Instant::now() + DEADLINE;
    while connects(&lines.lock().unwrap()) != 2000 {
        let log = lines.lock().unwrap().clone();
        assert!(
            Instant::now() < deadline,
            "{} of 2000 attempts counted; the log:\n{}",
            connects(&log),
            log.join("\n")
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let log = lines.lock().unwrap().clone();
    let from_script = log.iter().filter(|l| l.contains("127.0.0.3")).count();
    assert!(
        from_script <= 20,
        "{from_script} lines about the script:\n{}",
        log.join("\n")
    );
    assert!(
        log.iter()
            .any(|l| l.starts_with("[rcv] ") && l.ends_with(" still here 여기")),
        "{}",
        log.join("\n")
    );
    assert!(
        log.iter()
            .any(|l| l.starts_with("127.0.0.3: ") && l.ends_with(" not shown one by one")),
        "a summary line:\n{}",
        log.join("\n")
    );
    drop((friend, stdin));
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn a_denied_address_is_told_and_closed_and_shown_once_not_as_connected() {
    let port = free_port();
    let (mut child, stdin, lines) = listening_binary(port, &["--deny", "127.0.0.2"]);
    let mut denied = common::connect_from(Ipv4Addr::new(127, 0, 0, 2), port);
    let (told, closed) = common::read_until_closed(&mut denied, DEADLINE);
    assert_eq!(
        String::from_utf8_lossy(&told),
        "tcp-chat: this listener does not take connections from your address\n"
    );
    assert!(matches!(closed, common::Closed::Eof), "{closed:?}");
    // Anyone else is served.
    let mut other = common::peer(port);
    other.write_all(b"hello\n").unwrap();
    let mut reader = BufReader::new(other);
    assert_eq!(common::read_line(&mut reader), "Server OK");
    // Both lines printed (the refusal on stderr, the Connect on stdout: two streams, read
    // apart, in no fixed order).
    common::eventually("the refusal and the other's Connect in the log", || {
        let log = lines.lock().unwrap();
        log.iter().any(|l| l.starts_with("Error : 127.0.0.2 "))
            && log.iter().any(|l| l.starts_with("Connect : 127.0.0.1"))
    });
    let log = lines.lock().unwrap().clone();
    let about = |prefix: &str| log.iter().filter(|l| l.starts_with(prefix)).count();
    assert_eq!(about("Error : 127.0.0.2 "), 1, "{log:?}");
    assert!(
        log.iter()
            .any(|l| l.ends_with("its address is not allowed to connect (--allow, --deny)")),
        "{log:?}"
    );
    assert_eq!(about("Connect : 127.0.0.2"), 0, "{log:?}");
    assert_eq!(about("Connect : 127.0.0.1"), 1, "{log:?}");
    drop(stdin);
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn with_allow_only_that_range_gets_in() {
    let port = free_port();
    let (mut child, stdin, _lines) = listening_binary(port, &["--allow", "127.0.0.0/30"]);
    let mut outside = common::connect_from(Ipv4Addr::new(127, 0, 0, 9), port);
    let (told, _) = common::read_until_closed(&mut outside, DEADLINE);
    assert_eq!(
        String::from_utf8_lossy(&told),
        "tcp-chat: this listener does not take connections from your address\n"
    );
    let inside = common::connect_from(Ipv4Addr::new(127, 0, 0, 2), port);
    let mut writer = inside.try_clone().unwrap();
    writer.write_all(b"hello\n").unwrap();
    let mut reader = BufReader::new(inside);
    assert_eq!(common::read_line(&mut reader), "Server OK");
    drop(stdin);
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn a_connection_error_is_one_sentence_on_stderr_and_exit_code_1() {
    let port = free_port();
    let child = tcp_chat(&["--connect", &format!("127.0.0.1:{port}")])
        .spawn()
        .unwrap();
    let (out, _) = finish(child, DEADLINE);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.trim_end(),
        format!("Error : nothing is listening on 127.0.0.1 port {port}: press Listen on the other side first, or check the port")
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("Error"));
}

#[test]
fn a_port_in_use_is_exit_code_1_and_a_bad_option_is_2() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let child = tcp_chat(&["--listen", "--bind", "127.0.0.1", "--port", &port])
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let (out, _) = finish(child, DEADLINE);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is already in use"));

    let child = tcp_chat(&["--port", "99999"]).spawn().unwrap();
    let (out, _) = finish(child, DEADLINE);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn sending_with_nowhere_to_send_is_exit_code_1() {
    let mut child = tcp_chat(&[]).spawn().unwrap();
    child.stdin.take().unwrap().write_all(b"anyone?\n").unwrap();
    let (out, _) = finish(child, DEADLINE);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("Error : not connected"));
}

#[test]
fn with_timestamps_each_line_printed_starts_with_its_time() {
    let (_chat, port) = listening_chat();
    let mut child = tcp_chat(&["--timestamps", "--connect", &format!("127.0.0.1:{port}")])
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"what time\n")
        .unwrap();
    let (out, _) = finish(child, DEADLINE);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let mut lines = 0;
    for line in stdout.lines() {
        let (time, _) = line.split_at(9);
        let b = time.as_bytes();
        assert!(
            b[2] == b':' && b[5] == b':' && b[8] == b' ' && time[..2].parse::<u8>().unwrap() < 24,
            "no HH:MM:SS in front of {line:?}"
        );
        lines += 1;
    }
    assert!(lines >= 4, "{stdout}");
    assert!(stdout.contains(" [rcv] Server OK"), "{stdout}");
}
