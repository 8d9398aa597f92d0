//! `tcp-chat --terminal` in a real terminal (tmux): keys typed with send-keys, the screen
//! read with capture-pane, against a window, `nc`, and plain sockets.

mod common;

use common::app::{scratch, App, Xvfb};
use common::tmux::Tmux;
use common::{free_port, peer, read_line, send, told_and_closed, DEADLINE};
use std::io::{BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A terminal chat listening on a free port; returns it with the port.
fn listening(extra: &[&str]) -> (Tmux, u16) {
    let port = free_port();
    let port_text = port.to_string();
    let mut args = vec!["--listen", "--bind", "127.0.0.1", "--port", &port_text];
    args.extend(extra);
    let term = Tmux::start(&[], &args);
    term.wait_for(&format!("Start Listening (port {port}"));
    (term, port)
}

/// A peer connected to `term`'s listener, once the terminal shows it.
fn connected_peer(term: &Tmux, port: u16, nth: usize) -> BufReader<TcpStream> {
    let stream = peer(port);
    term.wait_for_count("Connect : 127.0.0.1", nth);
    BufReader::new(stream)
}

#[test]
fn a_terminal_and_a_window_chat_both_ways_in_korean() {
    let x = Xvfb::start();
    let dir = scratch("terminal-window");
    let port = free_port().to_string();
    let window = App::start(
        &x,
        &[],
        &["--listen", "--port", &port],
        &dir.join("window.log"),
    );
    window.wait_for_log("Start Listening");
    let term = Tmux::start(&[], &["--connect", &format!("127.0.0.1:{port}")]);
    term.wait_for("Connected to 127.0.0.1");

    term.enter("터미널에서 안녕하세요");
    window.wait_for_screen("[rcv] 터미널에서 안녕하세요");
    term.wait_for("[send] 터미널에서 안녕하세요");
    term.wait_for("[rcv] Server OK");

    window.fill_named("Message", "창에서 보냅니다");
    window.click_named("Send");
    window.wait_for_screen("[send] 창에서 보냅니다");
    term.wait_for("[rcv] 창에서 보냅니다");
}

/// Whether something listens on 127.0.0.1:`port`, read from /proc/net/tcp so that no
/// probe uses up a one-connection peer such as `nc -l`.
fn something_listens_on(port: u16) -> bool {
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
    let local = format!("0100007F:{port:04X}");
    table.lines().any(|row| {
        let fields: Vec<&str> = row.split_whitespace().collect();
        fields.get(1) == Some(&local.as_str()) && fields.get(3) == Some(&"0A")
    })
}

#[test]
fn a_terminal_chats_with_nc() {
    let port = free_port();
    let mut nc = Command::new("nc")
        .args(["-l", "127.0.0.1", &port.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("nc (apt-get install netcat-openbsd)");
    let nc_out = BufReader::new(nc.stdout.take().unwrap());
    let deadline = Instant::now() + DEADLINE;
    while !something_listens_on(port) {
        assert!(Instant::now() < deadline, "nc did not listen");
        std::thread::sleep(Duration::from_millis(20));
    }
    let term = Tmux::start(&[], &[]);
    term.enter(&format!("/connect 127.0.0.1 {port}"));
    term.wait_for("Connected to 127.0.0.1");
    term.enter("hello nc");
    let (_nc_out, line) = common::pipe_line(nc_out, "nc printing what the terminal sent");
    assert_eq!(line.as_deref(), Some("hello nc\n"));
    let mut nc_in = nc.stdin.take().unwrap();
    nc_in
        .write_all("hello terminal, 안녕\n".as_bytes())
        .unwrap();
    nc_in.flush().unwrap();
    term.wait_for("[rcv] hello terminal, 안녕");
    drop(nc_in);
    let _ = nc.kill();
    let _ = nc.wait();
    term.wait_for("Disconnect : 127.0.0.1");
}

#[test]
fn a_line_arriving_while_one_is_typed_leaves_the_typed_text_intact() {
    let (term, port) = listening(&[]);
    let mut peer = connected_peer(&term, port, 1);
    term.type_text("half a li");
    term.wait_for("> half a li");
    send(peer.get_mut(), "in the middle 중간에\n".as_bytes());
    term.wait_for("[rcv] in the middle 중간에");
    assert_eq!(
        term.prompt_row(),
        "> half a li",
        "the typed text was broken"
    );
    term.enter("ne 한글");
    assert_eq!(read_line(&mut peer), "Server OK");
    assert_eq!(read_line(&mut peer), "half a line 한글");
}

#[test]
fn line_editing_has_history_and_moves_to_either_end() {
    let (term, port) = listening(&["--no-auto-reply"]);
    let mut peer = connected_peer(&term, port, 1);
    term.enter("first");
    assert_eq!(read_line(&mut peer), "first");
    // Up brings the last line back.
    term.press(&["Up"]);
    term.wait_for("> first");
    term.press(&["Enter"]);
    assert_eq!(read_line(&mut peer), "first");
    // Ctrl-A to the start, Ctrl-E to the end, arrows in between, over Korean text.
    term.type_text("세계");
    term.press(&["C-a"]);
    term.type_text("안녕 ");
    term.press(&["C-e"]);
    term.type_text("!");
    term.press(&["Left", "Left"]);
    term.type_text("요");
    term.wait_for("> 안녕 세요계!");
    term.press(&["Enter"]);
    assert_eq!(read_line(&mut peer), "안녕 세요계!");
}

#[test]
fn log_lines_are_coloured_as_in_the_window() {
    let (term, port) = listening(&[]);
    let mut peer = connected_peer(&term, port, 1);
    send(peer.get_mut(), b"colour me\n");
    term.wait_for("[rcv] colour me");
    term.enter("and me");
    term.wait_for("[send] and me");
    term.enter("/connect 127.0.0.1 1");
    term.wait_for("Error : ");
    let screen = term.screen_with_colours();
    // tmux writes the colours back as SGR codes: blue, green, red.
    for (colour, text) in [
        ("\x1b[34m", "[rcv] colour me"),
        ("\x1b[32m", "[send] and me"),
        ("\x1b[31m", "Error : nothing is listening"),
    ] {
        assert!(
            screen.contains(&format!("{colour}{text}")),
            "{text:?} is not in {colour:?}:\n{screen:?}"
        );
    }
    assert!(
        screen.contains("Connect : 127.0.0.1") && !screen.contains("m\x1b[34mConnect"),
        "other lines keep the terminal's colour"
    );
}

#[test]
fn connecting_to_a_dead_port_says_one_sentence() {
    let term = Tmux::start(&[], &[]);
    let port = free_port();
    term.enter(&format!("/connect 127.0.0.1 {port}"));
    let screen = term.wait_for("Error : ");
    let errors: Vec<&str> = screen
        .lines()
        .filter(|l| l.starts_with("Error : "))
        .collect();
    assert_eq!(
        errors,
        [format!(
            "Error : nothing is listening on 127.0.0.1 port {port}: press Listen on the other side first, or check the port"
        )]
    );
    // And the prompt is back, ready for the next try.
    assert_eq!(term.prompt_row(), ">");
}

#[test]
fn commands_list_peers_change_the_auto_reply_and_close_the_listener() {
    let (term, port) = listening(&[]);
    let mut one = connected_peer(&term, port, 1);
    let _two = connected_peer(&term, port, 2);
    term.enter("/peers");
    let screen = term.wait_for("2 peers:");
    assert_eq!(
        screen.matches("  connected from 127.0.0.1 ").count(),
        2,
        "{screen}"
    );
    term.enter("/auto-reply 잘 받았습니다");
    term.wait_for("Auto-reply on: each line received is answered with \"잘 받았습니다\".");
    send(one.get_mut(), b"ping\n");
    assert_eq!(read_line(&mut one), "잘 받았습니다");
    term.enter("/auto-reply off");
    term.wait_for("Auto-reply off");
    term.enter("//not a command");
    assert_eq!(read_line(&mut one), "/not a command");
    send(one.get_mut(), b"no answer now\n");
    term.wait_for("no answer now");
    term.enter("after");
    assert_eq!(read_line(&mut one), "after", "the auto-reply was still on");
    term.enter("/nonsense");
    term.wait_for("/nonsense is not a command: /help lists them");
    term.enter("/help");
    term.wait_for("/connect HOST [PORT]");
    term.enter("/close listen");
    term.wait_for("Stop Listening");
    let mut rest = one.buffer().to_vec();
    rest.extend(common::read_to_end(one.get_mut()));
    assert_eq!(rest, b"");
    term.enter("/close");
    term.wait_for("Not connected: there is no connection to close.");
    term.enter("/quit");
    assert_eq!(term.wait_exit(Duration::from_secs(2)), 0);
}

#[test]
fn ctrl_c_with_peers_connected_closes_every_socket_within_a_second() {
    let (term, port) = listening(&[]);
    let mut peers: Vec<TcpStream> = (1..=3)
        .map(|n| connected_peer(&term, port, n).into_inner())
        .collect();
    // And a connection of its own, to a listener here.
    let far = TcpListener::bind("127.0.0.1:0").unwrap();
    term.enter(&format!(
        "/connect 127.0.0.1 {}",
        far.local_addr().unwrap().port()
    ));
    let accepted = common::accept_within(&far);
    term.wait_for("Connected to 127.0.0.1");
    peers.push(accepted);

    let pressed = Instant::now();
    term.press(&["C-c"]);
    for stream in &mut peers {
        // Fails if a socket is still open 1 s after Ctrl-C.
        let left = Duration::from_secs(1).saturating_sub(pressed.elapsed());
        common::read_until_closed(stream, left);
    }
    assert!(pressed.elapsed() < Duration::from_secs(1));
    assert_eq!(term.wait_exit(Duration::from_secs(1)), 0);
}

#[test]
fn ctrl_d_leaves_too() {
    let (term, port) = listening(&[]);
    let mut one = connected_peer(&term, port, 1);
    term.press(&["C-d"]);
    assert_eq!(term.wait_exit(Duration::from_secs(1)), 0);
    let (rest, _) = common::read_until_closed(one.get_mut(), Duration::from_secs(1));
    assert_eq!(rest, b"");
}

/// A field of `pid`'s /proc status (`VmRSS:`, `VmHWM:`), in MB; fails if it cannot be read.
fn status_mb(pid: u32, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_else(|e| panic!("tcp-chat ({pid}) is not running: {e}"));
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no {field} in /proc/{pid}/status"));
    kb / 1024.0
}

#[test]
fn a_terminal_that_falls_behind_holds_a_flooding_peer_back_instead_of_filling_memory() {
    const FLOOD_MB: usize = 300;
    let (term, port) = listening(&["--no-auto-reply"]);
    let pid = term.program_pid();
    let peer = connected_peer(&term, port, 1).into_inner();
    let idle = status_mb(pid, "VmRSS:");
    // The terminal stops reading what tcp-chat prints (a slow SSH link, frozen here).
    term.freeze(true);
    let written = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let flooding = {
        let written = written.clone();
        peer.set_write_timeout(Some(Duration::from_secs(3)))
            .unwrap();
        let mut peer = peer.try_clone().unwrap();
        std::thread::spawn(move || -> Option<std::io::Error> {
            let chunk: Vec<u8> = "flood 홍수 0123456789 abcdefghij\n"
                .repeat(2048)
                .into_bytes();
            while written.load(std::sync::atomic::Ordering::SeqCst) < FLOOD_MB << 20 {
                if let Err(e) = peer.write_all(&chunk) {
                    return Some(e);
                }
                written.fetch_add(chunk.len(), std::sync::atomic::Ordering::SeqCst);
            }
            None
        })
    };
    // The flooder ends when a write goes nowhere for 3 s, or when all of it went out.
    let stopped = common::within("the flood to stop", Duration::from_secs(60), move || {
        flooding.join().expect("the flooding thread")
    });
    let sent_mb = written.load(std::sync::atomic::Ordering::SeqCst) >> 20;
    let error = stopped
        .unwrap_or_else(|| panic!("the peer was never held back: all {FLOOD_MB} MB went out"));
    // Held back is a write that waited in vain, not a connection that tcp-chat cut.
    assert!(
        matches!(
            error.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ),
        "the flooding peer was cut off after {sent_mb} MB, not held back: {error}"
    );
    // The peer is still connected: nothing (no FIN, no reset) waits to be read.
    peer.set_nonblocking(true).unwrap();
    let still = (&peer).read(&mut [0u8; 1]);
    assert!(
        matches!(&still, Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "the flooding peer's connection ended while it was held back: {still:?}"
    );
    peer.set_nonblocking(false).unwrap();
    let peak = status_mb(pid, "VmHWM:");
    term.freeze(false);
    assert!(
        peak < idle + 100.0,
        "tcp-chat grew from {idle:.1} MB to a peak of {peak:.1} MB while the terminal was stopped"
    );
    // Once the terminal reads again, the chat goes on: the peer is still listed, and
    // leaves as any peer does.
    term.enter("/peers");
    term.wait_for("connected from 127.0.0.1");
    peer.shutdown(std::net::Shutdown::Both).unwrap();
    term.wait_for("Disconnect : 127.0.0.1");
    term.enter("/peers");
    term.wait_for("No peer is connected.");
    println!("held back after {sent_mb} MB; memory {idle:.1} MB idle, {peak:.1} MB at most");
}

#[test]
fn closing_the_terminal_ends_the_chat() {
    // As when an SSH connection drops: the terminal goes, and tcp-chat with it (SIGHUP),
    // instead of living on without one.
    let port = free_port().to_string();
    let term = Tmux::start(&[], &["--listen", "--bind", "127.0.0.1", "--port", &port]);
    term.wait_for("Start Listening");
    let pid = term.program_pid();
    term.close_terminal();
    let deadline = std::time::Instant::now() + DEADLINE;
    // Gone, or a zombie waiting for a parent that is gone too.
    while common::process::running(pid) {
        assert!(
            std::time::Instant::now() < deadline,
            "tcp-chat {pid} still running without its terminal"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn an_interactive_terminal_speaks_korean_under_a_korean_system_language() {
    let port = free_port();
    let port_text = port.to_string();
    let term = Tmux::start(
        &["env", "LANG=ko_KR.UTF-8"],
        &["--listen", "--bind", "127.0.0.1", "--port", &port_text],
    );
    // The course's words stay; the sentence after them is Korean.
    term.wait_for(&format!("Start Listening (포트 {port}번, 127.0.0.1에서만)"));
    term.enter("/nonsense");
    term.wait_for("/nonsense은(는) 명령이 아닙니다");
    term.enter("/peers");
    term.wait_for("접속한 상대가 없습니다.");
    let mut peer = connected_peer(&term, port, 1);
    send(peer.get_mut(), "안녕하세요\n".as_bytes());
    term.wait_for("[rcv] 안녕하세요");
    assert_eq!(read_line(&mut peer), "Server OK");
    term.enter("반갑습니다");
    assert_eq!(read_line(&mut peer), "반갑습니다");
    term.wait_for("[send] 반갑습니다");
    assert!(
        !term.screen().contains("is not a command"),
        "{}",
        term.screen()
    );
}

#[test]
fn the_terminal_neither_reads_nor_writes_the_windows_settings() {
    // The window's settings file, as the window reads it (tests/desktop.rs proves that it
    // does): another auto-reply and port.
    let config = scratch("terminal-settings").join("config");
    let file = config.join("tcp-chat/tcp-chat.conf");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    let saved = "[General]\nhost=localhost\nport=4321\nautoReply=from the settings\n";
    std::fs::write(&file, saved).unwrap();
    // A terminal chat between pipes, listening on `port`, with that settings folder.
    let listener = |port: u16| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_tcp-chat"));
        command
            .args([
                "--terminal",
                "--no-discovery",
                "--listen",
                "--bind",
                "127.0.0.1",
            ])
            .args(["--port", &port.to_string()])
            .env("XDG_CONFIG_HOME", &config);
        command
    };
    let port = free_port();
    let mut child = listener(port)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let (_stdout, first) = common::pipe_line(stdout, "the terminal's first log line");
    assert!(
        first
            .as_deref()
            .is_some_and(|l| l.starts_with("Start Listening")),
        "{first:?}"
    );
    let mut p = connected(port);
    send(p.get_mut(), b"which reply?\n");
    assert_eq!(
        read_line(&mut p),
        "Server OK",
        "the settings' auto-reply was read"
    );
    drop(child.stdin.take());
    let status = common::within("the terminal to end with its input", DEADLINE, move || {
        child.wait().unwrap()
    });
    assert!(status.success());
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        saved,
        "the settings were written"
    );
    // Nor does it make a settings file where there is none.
    std::fs::remove_file(&file).unwrap();
    let out = common::output_within(
        "tcp-chat --terminal with no input",
        listener(free_port()).stdin(Stdio::null()),
        DEADLINE,
    );
    assert!(out.status.success());
    assert!(
        std::fs::read_dir(file.parent().unwrap())
            .unwrap()
            .next()
            .is_none(),
        "the terminal made a settings file"
    );
}

/// A peer of a pipe-mode listener, connected.
fn connected(port: u16) -> BufReader<TcpStream> {
    BufReader::new(peer(port))
}

#[test]
fn a_teacher_numbers_kicks_blocks_and_locks_peers_from_the_terminal() {
    use common::connect_from;
    use std::net::Ipv4Addr;
    let (term, port) = listening(&["--relay", "--no-auto-reply"]);
    let from = |last: u8| Ipv4Addr::new(127, 0, 0, last);
    let mut one = connect_from(from(2), port);
    term.wait_for("Connect : 127.0.0.2");
    let two = connect_from(from(3), port);
    let three = connect_from(from(3), port);
    term.wait_for_count("Connect : 127.0.0.3", 2);
    let mut listener_of = BufReader::new(two.try_clone().unwrap());
    term.enter("/peers");
    let screen = term.wait_for("3 peers:");
    assert!(
        screen.contains("    1  connected from 127.0.0.2 "),
        "{screen}"
    );
    assert!(
        screen.contains("    2  connected from 127.0.0.3 "),
        "{screen}"
    );
    assert!(
        screen.contains("    3  connected from 127.0.0.3 "),
        "{screen}"
    );

    // Room mode: peer 1's lines reach the others until it is kicked, and none after.
    send(&mut one, b"before the kick\n");
    assert!(read_line(&mut listener_of).ends_with(") before the kick"));
    term.enter("/kick 1");
    term.wait_for("Disconnect : 127.0.0.2");
    let _ = one.write_all(b"after the kick\n");
    assert_eq!(told_and_closed(one), "", "a kicked peer is closed");
    // A newcomer from the same address gets a number never used before.
    let mut four = connect_from(from(2), port);
    term.wait_for_count("Connect : 127.0.0.2", 2);
    send(&mut four, b"from the newcomer\n");
    let next = read_line(&mut listener_of);
    assert!(
        next.ends_with(") from the newcomer"),
        "after the kick: {next}"
    );
    term.enter("/peers");
    term.wait_for("    4  connected from 127.0.0.2 ");
    term.enter("/kick 1");
    term.wait_for("no peer has the number 1 now (it may have left): /peers lists the numbers");
    // Reset: RST instead of FIN, and the log says which.
    let mut five = connect_from(from(4), port);
    term.wait_for("Connect : 127.0.0.4");
    term.enter("/peers");
    term.wait_for("    5  connected from 127.0.0.4 ");
    term.enter("/reset 5");
    let (_, closed) = common::read_until_closed(&mut five, DEADLINE);
    assert_eq!(closed, common::Closed::Reset);
    term.wait_for("(reset here: RST, with no FIN before it)");

    // Block: both peers from 127.0.0.3 go, and the address is turned away until unblocked.
    term.enter("/block 127.0.0.3");
    term.wait_for("Blocked 127.0.0.3: 2 peers were disconnected");
    for mut stream in [two, three] {
        // What was relayed to it before, then the end.
        common::read_until_closed(&mut stream, DEADLINE);
    }
    let again = connect_from(from(3), port);
    assert_eq!(
        told_and_closed(again),
        "tcp-chat: this listener does not take connections from your address\n"
    );
    term.wait_for("was turned away: its address is blocked (/unblock lets it in again)");
    term.enter("/unblock 127.0.0.3");
    term.wait_for("Unblocked 127.0.0.3: it may connect again");
    // Its Connect line may be summarised by now (the address came and went often this
    // second): what it says shows that it is in.
    let mut back = connect_from(from(3), port);
    send(
        &mut back,
        b"back in
",
    );
    term.wait_for("back in");

    // Lock: nobody new gets in, those connected stay and chat on.
    term.enter("/lock on");
    term.wait_for("Locked: no new peers are taken, those connected stay");
    let late = connect_from(from(5), port);
    assert_eq!(
        told_and_closed(late),
        "tcp-chat: this listener takes no new peers now, try again later\n"
    );
    term.wait_for("was turned away: the listener is locked (/lock off to take new peers again)");
    send(&mut four, b"still here while locked\n");
    term.wait_for("still here while locked");
    term.enter("/lock off");
    term.wait_for("Unlocked: new peers are taken again");
    let _late = connect_from(from(5), port);
    term.wait_for("Connect : 127.0.0.5");
    term.enter("/quit");
    assert_eq!(term.wait_exit(Duration::from_secs(2)), 0);
}

#[test]
fn wire_on_shows_each_read_and_write_as_bytes_and_wire_off_stops_it() {
    let (term, port) = listening(&[]);
    let mut one = connected_peer(&term, port, 1);
    term.enter("/wire on");
    term.wait_for("Wire view on: each read and write is shown as bytes");
    send(one.get_mut(), b"hi\n");
    assert_eq!(read_line(&mut one), "Server OK");
    term.wait_for("3 bytes: 68 69 0a");
    let screen = term.wait_for("[wire] -> 127.0.0.1 ");
    assert!(
        screen.contains("10 bytes: 53 65 72 76 65 72 20 4f 4b 0a"),
        "{screen}"
    );
    // Bytes typed as hex pairs go exactly so, and show on the wire as typed.
    term.enter("/hex 48 69 21 0a");
    assert_eq!(read_line(&mut one), "Hi!");
    term.wait_for("[wire] -> 127.0.0.1 ");
    term.wait_for("4 bytes: 48 69 21 0a");
    term.enter("/wire off");
    term.wait_for("Wire view off.");
    send(one.get_mut(), b"bye\n");
    assert_eq!(read_line(&mut one), "Server OK");
    let screen = term.wait_for("[rcv] bye");
    assert!(!screen.contains("4 bytes: 62 79 65 0a"), "{screen}");
}
