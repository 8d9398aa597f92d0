//! Two hosts on one machine: two network namespaces joined by a veth pair, a tcp-chat
//! window in each (on one Xvfb desktop), paired both ways as two people would, by
//! typing the other's address (IPv4, IPv6, link-local with its interface, host name)
//! and pressing Connect, then chatting. What arrived is read from the windows themselves,
//! over AT-SPI. Traffic stays inside the namespaces made here.
//!
//! Needs root and `ip` (iproute2); elsewhere it says why it skipped
//! (and fails under `CI=true`).

mod common;

use common::app::{scratch, App, Xvfb};
use common::netns::{ip, lan_or_say_why};
use common::program::Program;
use common::tmux::Tmux;
use common::{cannot_run, is_root};
use std::collections::BTreeSet;
use std::process::Command;

const PORT: &str = "12345";

/// What the window lists after "Start Listening (port N on ...)".
fn shown_addresses(line: &str) -> BTreeSet<String> {
    let inside = line
        .split_once(" on ")
        .map(|(_, rest)| rest.trim_end_matches(')'))
        .unwrap_or("");
    inside
        .trim_end_matches(" only")
        .split(", ")
        .map(str::to_string)
        .collect()
}

/// `from` connects to `to` at `address` by typing it, sends a line, sees the auto-reply,
/// and closes again.
fn chat_once(from: &App, to: &App, address: &str, message: &str) {
    from.fill_named("Peer address", address);
    from.fill_named("Port", PORT);
    let before = from.log().lines().count();
    from.click_named("Connect");
    let connected = wait_new_line(from, before, "Connected to ");
    assert!(connected.contains(&format!(":{PORT}")), "{connected}");
    from.click_named("Message");
    from.type_text(message);
    from.key("Return");
    // What arrived, as each window itself shows it (read as a screen reader reads it).
    from.wait_for_screen(&format!("[send] {message}"));
    to.wait_for_screen(&format!(" {message}"));
    let before = from.log().lines().count();
    wait_new_line(from, before.saturating_sub(2), "[rcv] Server OK");
    from.click_named("Close the connection");
    wait_new_line(from, before, "Disconnect : ");
}

/// Waits for a line containing `text` after the first `skip` lines of `app`'s log.
fn wait_new_line(app: &App, skip: usize, text: &str) -> String {
    let deadline = std::time::Instant::now() + common::DEADLINE;
    loop {
        if let Some(line) = app.log().lines().skip(skip).find(|l| l.contains(text)) {
            return line.to_string();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no new {text:?}; log:\n{}",
            app.log()
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn two_hosts_pair_both_ways_over_ipv4_ipv6_link_local_and_host_name() {
    let Some(lan) = lan_or_say_why() else {
        return;
    };
    let x = Xvfb::start();
    let dir = scratch("lan");
    let in_a = ["ip", "netns", "exec", lan.a.as_str()];
    let in_b = ["ip", "netns", "exec", lan.b.as_str()];
    let a = App::start(&x, &in_a, &["--listen", "--port", PORT], &dir.join("a.txt"));
    let b = App::start(&x, &in_b, &["--listen", "--port", PORT], &dir.join("b.txt"));
    b.move_to(700, 0);

    // Each window lists exactly the addresses its host has.
    let a_shown = shown_addresses(&a.wait_for_log("Start Listening"));
    let b_shown = shown_addresses(&b.wait_for_log("Start Listening"));
    assert_eq!(a_shown, lan.addresses(&lan.a));
    assert_eq!(b_shown, lan.addresses(&lan.b));

    // Every address a peer could use (all but loopback) works, both ways, and so does
    // the other host's name.
    let reachable = |shown: &BTreeSet<String>| -> Vec<String> {
        shown
            .iter()
            .filter(|s| *s != "127.0.0.1" && *s != "::1")
            .cloned()
            .collect()
    };
    let a_addresses = reachable(&a_shown);
    let b_addresses = reachable(&b_shown);
    assert_eq!(a_addresses.len(), 3, "{a_addresses:?}");
    for (n, address) in a_addresses.iter().enumerate() {
        // A link-local address is typed with the interface of the host that connects.
        let typed = address.replace(
            &format!("%{}", a_dev(address)),
            &format!("%{}", b_dev(&b_shown)),
        );
        chat_once(&b, &a, &typed, &format!("B to A {n} 안녕"));
    }
    for (n, address) in b_addresses.iter().enumerate() {
        let typed = address.replace(
            &format!("%{}", a_dev(address)),
            &format!("%{}", b_dev(&a_shown)),
        );
        chat_once(&a, &b, &typed, &format!("A to B {n} 반가워"));
    }
    chat_once(&b, &a, "chat-a", "by name to A");
    chat_once(&a, &b, "chat-b", "by name to B");

    let shots = [a.screenshot("lan-a.png"), b.screenshot("lan-b.png")];
    println!("screenshots: {shots:?}");

    // A window bound to 127.0.0.1 is not reachable from the other host.
    drop(a);
    let bound = App::start(
        &x,
        &in_a,
        &["--listen", "--bind", "127.0.0.1", "--port", PORT],
        &dir.join("bound.txt"),
    );
    let line = bound.wait_for_log("Start Listening");
    assert_eq!(
        line,
        format!("Start Listening (port {PORT} on 127.0.0.1 only)")
    );
    b.fill_named("Peer address", "10.213.0.1");
    b.fill_named("Port", PORT);
    b.click_named("Connect");
    b.wait_for_log(&format!(
        "Error : nothing is listening on 10.213.0.1 port {PORT}"
    ));
}

#[test]
fn two_terminal_chats_on_two_hosts_pair_both_ways() {
    let Some(lan) = lan_or_say_why() else {
        return;
    };
    let in_a = ["ip", "netns", "exec", lan.a.as_str()];
    let in_b = ["ip", "netns", "exec", lan.b.as_str()];
    let a = Tmux::start(&in_a, &["--listen", "--port", PORT]);
    a.wait_for(&format!("Start Listening (port {PORT} on "));
    // B reaches A by name, as a person on a LAN with local names would.
    let b = Tmux::start(&in_b, &["--connect", "chat-a", "--port", PORT]);
    b.wait_for(&format!("Connected to chat-a:{PORT} (10.213.0.1)"));
    a.wait_for("Connect : 10.213.0.2 ");
    b.enter("B에서 A로 안녕");
    a.wait_for("[rcv] B에서 A로 안녕");
    b.wait_for("[rcv] Server OK");
    a.enter("A에서 B로 반가워");
    b.wait_for("[rcv] A에서 B로 반가워");
    a.wait_for("[send] A에서 B로 반가워");
    // And back the other way over IPv6: A connects to B's listener.
    b.enter(&format!("/listen {PORT}"));
    b.wait_for(&format!("Start Listening (port {PORT} on "));
    a.enter(&format!("/connect fd00:213::2 {PORT}"));
    a.wait_for(&format!("Connected to [fd00:213::2]:{PORT}"));
    a.enter("over IPv6");
    // Each now has two peers: a line received names who sent it.
    b.wait_for("[rcv] (fd00:213::1 ");
    b.wait_for(") over IPv6");
    a.wait_for(&format!("[rcv] (fd00:213::2 {PORT}) Server OK"));
}

/// The interface part of a link-local address (`fe80::a%tca123` -> `tca123`), or "".
fn a_dev(address: &str) -> &str {
    address.split_once('%').map_or("", |(_, dev)| dev)
}

/// The interface a host's link-local address is on.
fn b_dev(shown: &BTreeSet<String>) -> String {
    shown
        .iter()
        .find_map(|a| a.split_once('%').map(|(_, dev)| dev.to_string()))
        .unwrap_or_default()
}

#[test]
fn a_host_with_ipv6_turned_off_listens_and_chats_over_ipv4() {
    if !is_root() {
        cannot_run("making network namespaces needs root");
        return;
    }
    let ns = format!("tcpchat-v4-{}", std::process::id() % 100_000);
    struct Gone(String);
    impl Drop for Gone {
        fn drop(&mut self) {
            let _ = ip(&["netns", "del", &self.0]);
        }
    }
    if let Err(why) = ip(&["netns", "add", &ns]) {
        cannot_run(&format!("cannot make a test host here: {why}"));
        return;
    }
    let _gone = Gone(ns.clone());
    for setting in [
        "net.ipv6.conf.all.disable_ipv6=1",
        "net.ipv6.conf.default.disable_ipv6=1",
    ] {
        let ok = Command::new("ip")
            .args(["netns", "exec", &ns, "sysctl", "-qw", setting])
            .status()
            .unwrap();
        assert!(ok.success(), "sysctl {setting}");
    }
    ip(&["-n", &ns, "link", "set", "lo", "up"]).unwrap();
    ip(&["-n", &ns, "addr", "add", "127.0.0.1/8", "dev", "lo"]).ok();

    let dir = scratch("v4only");
    let transcript = dir.join("v4.txt");
    let mut app = Command::new("ip")
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .args(["netns", "exec", &ns, env!("CARGO_BIN_EXE_tcp-chat")])
        .args([
            "-platform",
            "offscreen",
            "--listen",
            "--port",
            PORT,
            "--transcript",
        ])
        .arg(&transcript)
        .env("QT_QUICK_BACKEND", "software")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let log = || common::without_times(&common::complete_lines(&transcript));
    let wait = |text: &str| {
        let deadline = std::time::Instant::now() + common::DEADLINE;
        while !log().contains(text) {
            assert!(
                std::time::Instant::now() < deadline,
                "no {text:?}; log:\n{}",
                log()
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    };
    wait("Start Listening");
    let listening = log()
        .lines()
        .find(|l| l.starts_with("Start Listening"))
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        listening,
        format!("Start Listening (port {PORT} on 127.0.0.1)"),
        "only IPv4 addresses are listed"
    );
    let nc = common::output_within(
        "nc",
        Command::new("ip").args([
            "netns",
            "exec",
            &ns,
            "sh",
            "-c",
            &format!("printf 'over ipv4 한국어\\n' | nc -q 2 127.0.0.1 {PORT}"),
        ]),
        common::DEADLINE,
    );
    wait("[rcv] over ipv4 한국어");
    assert_eq!(String::from_utf8_lossy(&nc.stdout), "Server OK\n");
    let _ = app.kill();
    let _ = app.wait();
}

#[test]
fn a_silent_name_server_gives_the_error_within_5_seconds_and_a_dead_first_address_is_passed_over() {
    let Some(lan) = lan_or_say_why() else {
        return;
    };
    // On A's link, 10.213.0.99 (the name server) and 10.213.0.3 lead to a hardware
    // address nobody has: what is sent there is dropped without a word, like a host
    // that is down behind a switch.
    let dev = lan.a_dev.clone();
    for dead in ["10.213.0.99", "10.213.0.3"] {
        ip(&[
            "-n",
            &lan.a,
            "neigh",
            "add",
            dead,
            "lladdr",
            "02:00:00:00:00:99",
            "dev",
            &dev,
            "nud",
            "permanent",
        ])
        .unwrap();
    }
    let etc = format!("/etc/netns/{}", lan.a);
    std::fs::write(
        format!("{etc}/resolv.conf"),
        "nameserver 10.213.0.99\noptions timeout:5 attempts:3\n",
    )
    .unwrap();
    // "chat-b-two" has a dead address first, then B's real one. Both are IPv4: between
    // families the resolver orders by its own rules (RFC 6724; here it put an IPv6
    // address first, and the dead one was never tried), within one family it keeps the
    // order of the hosts file when nothing else tells them apart.
    std::fs::write(
        format!("{etc}/hosts"),
        "127.0.0.1 localhost\n10.213.0.3 chat-b-two\n10.213.0.2 chat-b-two\n",
    )
    .unwrap();

    let x = Xvfb::start();
    let dir = scratch("lan-lookup");
    let in_a = ["ip", "netns", "exec", lan.a.as_str()];
    let in_b = ["ip", "netns", "exec", lan.b.as_str()];
    let a = App::start(&x, &in_a, &[], &dir.join("a.txt"));
    let b = App::start(&x, &in_b, &["--listen", "--port", PORT], &dir.join("b.txt"));
    b.move_to(700, 0);

    a.fill_named("Peer address", "nowhere.test");
    a.fill_named("Port", PORT);
    let before = a.log().lines().count();
    let clicked = std::time::Instant::now();
    a.click_named("Connect");
    // While the lookup hangs, the window answers: what is typed shows at once, for the
    // keyboard and for a screen reader, before the lookup's error comes.
    a.click_named("Message");
    a.type_text("typed while looking up");
    assert_eq!(
        a.field_text("Message").as_deref(),
        Some("typed while looking up")
    );
    assert!(
        !a.log()
            .lines()
            .skip(before)
            .any(|l| l.starts_with("Error : ")),
        "the window answered only after the lookup ended: {took:?}",
        took = clicked.elapsed()
    );
    let error = wait_new_line(&a, before, "Error : ");
    let took = clicked.elapsed();
    assert_eq!(error, "Error : looking up nowhere.test took over 5 seconds, so the name server is not answering: type an IP address instead, or check the network");
    assert!(
        took < std::time::Duration::from_millis(6500),
        "the lookup's error came after {took:?}, not within 5 s"
    );

    a.fill_named("Peer address", "chat-b-two");
    // Every SYN that A sends, as the wire has them: which address came first, and when
    // the second was tried, read afterwards (polling the kernel's state missed the first
    // attempt on a busy machine, when the second had won before the first look).
    let mut syns = Program::start(Command::new("ip").args([
        "netns",
        "exec",
        &lan.a,
        "tcpdump",
        "-i",
        &dev,
        "-n",
        "-l",
        "--immediate-mode",
        "-tt",
        "tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn",
    ]));
    syns.wait_for_output("listening on");
    let before = a.log().lines().count();
    let clicked = std::time::Instant::now();
    a.click_named("Connect");
    // A's attempts as the kernel has them (`ss`).
    let syn_sent = || {
        let out = Command::new("ip")
            .args(["netns", "exec", &lan.a, "ss", "-Htn", "state", "syn-sent"])
            .output()
            .expect("ss (package iproute2)");
        assert!(out.status.success(), "ss failed");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let connected = wait_new_line(&a, before, "Connected to ");
    let took = clicked.elapsed();
    // The losing attempt is closed once one has won: the kernel has it no more (`ss`)...
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    while syn_sent().contains("10.213.0.3") {
        assert!(
            std::time::Instant::now() < deadline,
            "the attempt to the dead address is still open: {}",
            syn_sent()
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(
        connected,
        format!("Connected to chat-b-two:{PORT} (10.213.0.2)")
    );
    // The dead address was tried first, and alone for about 250 ms.
    syns.wait_for_output(&format!("> 10.213.0.2.{PORT}:"));
    let first_syn = |to: &str| {
        syns.output().lines().find_map(|line| {
            let (at, rest) = line.split_once(" IP ")?;
            rest.contains(&format!("> {to}.{PORT}:"))
                .then(|| at.parse::<f64>().expect("tcpdump's -tt time"))
        })
    };
    let (Some(dead), Some(live)) = (first_syn("10.213.0.3"), first_syn("10.213.0.2")) else {
        panic!("a SYN to each address, as captured:\n{}", syns.output());
    };
    assert!(
        live - dead >= 0.2,
        "the dead first address was not tried first, alone: its SYN at {dead}, B's at {live}"
    );
    // ... and its SYN was never sent again, as TCP would have 1 s after the first had the
    // attempt stayed open.
    let now = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64()
    };
    while now() < dead + 1.5 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    syns.terminate();
    let to_dead = format!("> 10.213.0.3.{PORT}:");
    assert_eq!(
        syns.output()
            .lines()
            .filter(|l| l.contains(&to_dead))
            .count(),
        1,
        "the attempt to the dead address was left open:\n{}",
        syns.output()
    );
    // Not before the dead address had its 250 ms alone, not after it timed out.
    assert!(
        took >= std::time::Duration::from_millis(200) && took < std::time::Duration::from_millis(2000),
        "the second address should be tried after about 250 ms, not after the first timed out: {took:?}"
    );
}

#[test]
fn a_room_on_host_a_relays_between_the_course_client_nc_and_a_window_on_host_b() {
    let Some(lan) = lan_or_say_why() else {
        return;
    };
    let x = Xvfb::start();
    let dir = scratch("room");
    let in_a = ["ip", "netns", "exec", lan.a.as_str()];
    let in_b = ["ip", "netns", "exec", lan.b.as_str()];
    // The room: a window on A, listening, with Relay on.
    let room = App::start(
        &x,
        &in_a,
        &["--listen", "--port", PORT, "--relay"],
        &dir.join("room.txt"),
    );
    room.wait_for_screen("Start Listening");
    let joined = |n: usize| {
        let deadline = std::time::Instant::now() + common::DEADLINE;
        let shown = || room.screen_log().join("\n");
        while shown().matches("Connect : 10.213.0.2 ").count() < n {
            assert!(std::time::Instant::now() < deadline, "{}", shown());
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    };
    // Three people on B: a tcp-chat window, nc, and the course's own client.
    let window = App::start(
        &x,
        &in_b,
        &["--connect", "10.213.0.1", "--port", PORT],
        &dir.join("window.txt"),
    );
    window.move_to(700, 0);
    window.wait_for_screen("Connected to 10.213.0.1");
    joined(1);
    let nc = Program::start(Command::new("ip").args([
        "netns",
        "exec",
        &lan.b,
        "nc",
        "10.213.0.1",
        PORT,
    ]));
    joined(2);
    let mut course = Program::start(&mut common::course_peer(
        &["ip", "netns", "exec", &lan.b],
        "TCP_ChatClient.py",
        "10.213.0.1",
        PORT.parse().unwrap(),
    ));
    course.wait_for_output("Connect to");
    joined(3);

    // The window speaks: nc and (at its next turn) the course's client hear it.
    window.fill_named("Message", "from the window");
    window.click_named("Send");
    nc.wait_for_output(") from the window\n");
    // nc speaks: the window hears it, named.
    let mut nc = nc;
    nc.type_line("from nc");
    window.wait_for_screen(") from nc");
    // The course's client speaks: nc and the window hear it; what it reads back holds
    // the others' lines and its own auto-reply.
    course.type_line("from python");
    nc.wait_for_output(") from python\n");
    window.wait_for_screen(") from python");
    course.wait_for_output("from the window");
    course.wait_for_output("from nc");
    // It reads once after each line it sends (as the course wrote it): its answer comes
    // with the next.
    course.type_line("again");
    course.wait_for_output("Server OK");
    // The room's window shows each line once.
    let log = room.screen_log().join("\n");
    for line in ["from the window", "from nc", "from python"] {
        assert_eq!(log.matches(line).count(), 1, "{line}:\n{log}");
    }
    // Nobody hears their own line back: nc printed the others' lines, not its own; the
    // window on B shows its own line as sent, never as received.
    assert!(nc.output().contains(") from python"), "{}", nc.output());
    assert!(!nc.output().contains(") from nc"), "{}", nc.output());
    let shown = window.screen_log().join("\n");
    assert!(shown.contains("[send] from the window"), "{shown}");
    assert!(!shown.contains(") from the window"), "{shown}");
}
