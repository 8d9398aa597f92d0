//! Finding each other on a LAN (DNS-SD over multicast DNS), on two test hosts made here
//! (network namespaces `a` and `b`, see `common::netns`), each with a host name of its
//! own, checked against implementations written elsewhere: python-zeroconf browsing,
//! and avahi-daemon (Raspberry Pi OS's) publishing or owning UDP 5353 beside tcp-chat.
//! The windows are read the way a screen reader reads them (AT-SPI).
//!
//! Needs root, `ip`, avahi-daemon and python3-zeroconf; elsewhere it says why it skipped
//! (and fails under `CI=true`).

mod common;

use common::app::{scratch, App, Xvfb};
use common::mdns::{hostile, memory_mb, Avahi, Browser};
use common::netns::{lan_or_say_why, on_host};
use common::program::Program;
use common::tmux::Tmux;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// How long an announcement may take to be seen on the other host (mDNS probing alone
/// takes 0.75 s); the note gives the figures measured.
const FOUND_WITHIN: Duration = Duration::from_secs(10);
/// How long a goodbye may take to be seen.
const GONE_WITHIN: Duration = Duration::from_secs(3);
const NEARBY: &str = "Nearby chats";

fn service(host: &str) -> String {
    format!("{host}._tcp-chat._tcp.local.")
}

/// A tcp-chat window on host `ns` called `host`, discovery on, with `args`.
fn window(x: &Xvfb, ns: &str, host: &str, args: &[&str], dir: &Path) -> App {
    let prefix = on_host(ns, host);
    let prefix: Vec<&str> = prefix.iter().map(String::as_str).collect();
    let mut all = vec!["--discovery"];
    all.extend_from_slice(args);
    App::start(x, &prefix, &all, &dir.join(format!("{host}.txt")))
}

/// `tcp-chat --terminal` between pipes on host `ns` called `host`.
fn terminal(ns: &str, host: &str, args: &[&str]) -> Program {
    let mut command = Command::new("ip");
    command
        .args(on_host(ns, host).iter().skip(1))
        .arg(env!("CARGO_BIN_EXE_tcp-chat"))
        .arg("--terminal")
        .args(args)
        .env("XDG_CONFIG_HOME", common::test_config_home())
        .env("LANG", "C.UTF-8");
    Program::start(&mut command)
}

fn sigterm(pid: u32) {
    let status = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn python_zeroconf_sees_a_listener_with_its_port_and_addresses_and_sees_it_go_on_close_escape_and_sigterm(
) {
    let Some(lan) = lan_or_say_why() else { return };
    let x = Xvfb::start();
    let dir = scratch("dnssd-announce");
    let browser = Browser::start(&lan.b);
    let name = service("chat-a");

    let mut a = window(&x, &lan.a, "chat-a", &["--listen", "--port", "12345"], &dir);
    browser.wait_present(&name, FOUND_WITHIN);
    let seen = browser.wait_for_add(&name, FOUND_WITHIN, |s| s.addresses.len() >= 3);
    assert_eq!(seen.port, 12345);
    assert_eq!(seen.version, env!("CARGO_PKG_VERSION"));
    assert_eq!(seen.server, "chat-a.local.");
    // Every address of the interface it listens on, IPv4 and IPv6 (link-local with the
    // browser's own interface index).
    for address in ["10.213.0.1", "fd00:213::1"] {
        assert!(seen.addresses.iter().any(|a| a == address), "{seen:?}");
    }
    assert!(
        seen.addresses.iter().any(|a| a.starts_with("fe80::a%")),
        "{seen:?}"
    );

    // Close withdraws it at once; Listen announces it again.
    a.click_named("Close the listener");
    a.wait_for_log("Stop Listening");
    browser.wait_gone(&name, GONE_WITHIN);
    a.click_named("Listen");
    browser.wait_present(&name, FOUND_WITHIN);

    // Escape closes the window: the goodbye goes before the process ends.
    a.key("Escape");
    a.wait_exit(common::DEADLINE);
    browser.wait_gone(&name, GONE_WITHIN);

    // SIGTERM, as at logout or shutdown.
    let mut a = window(&x, &lan.a, "chat-a", &["--listen", "--port", "12345"], &dir);
    browser.wait_present(&name, FOUND_WITHIN);
    sigterm(a.pid());
    browser.wait_gone(&name, GONE_WITHIN);
    a.wait_exit(common::DEADLINE);
    // It closed as by its close button: the transcript has every line.
    assert!(a.log().contains("Start Listening"), "{}", a.log());
}

#[test]
fn python_zeroconf_sees_a_listener_by_the_name_it_was_given() {
    let Some(lan) = lan_or_say_why() else { return };
    let browser = Browser::start(&lan.b);
    let mut chat = terminal(
        &lan.a,
        "chat-a",
        &["--listen", "--port", "12345", "--name", "Minji 민지"],
    );
    let seen = browser.wait_for_add(&service("Minji 민지"), FOUND_WITHIN, |s| s.port == 12345);
    // The name is the student's; the host is still the machine's.
    assert_eq!(seen.server, "chat-a.local.");
    chat.terminate();
}

#[test]
fn an_avahi_service_on_host_b_appears_in_the_nearby_list_of_host_a_and_goes_with_it() {
    let Some(lan) = lan_or_say_why() else { return };
    let x = Xvfb::start();
    let dir = scratch("dnssd-avahi-b");
    let mut avahi = Avahi::start(&lan.b, "avahi-b", &[("avahi-b", 4321)]);
    let a = window(&x, &lan.a, "chat-a", &[], &dir);
    // Its addresses may come one answer at a time: the entry settles on the IPv4 one.
    a.wait_for_list_entry(NEARBY, "avahi-b   10.213.0.2 port 4321", FOUND_WITHIN);
    // The terminal lists it too, and connects to it by its name.
    let prefix = on_host(&lan.a, "term-a");
    let prefix: Vec<&str> = prefix.iter().map(String::as_str).collect();
    let term = Tmux::start(&prefix, &["--discovery"]);
    let deadline = Instant::now() + FOUND_WITHIN;
    loop {
        term.enter("/nearby");
        std::thread::sleep(Duration::from_millis(200));
        if term.screen().contains("avahi-b   10.213.0.2 port 4321") {
            break;
        }
        assert!(Instant::now() < deadline, "{}", term.screen());
    }
    term.enter("/connect avahi-b");
    // Nothing listens on avahi's port: the attempt goes to its address and port.
    term.wait_for("nothing is listening on 10.213.0.2 port 4321");
    avahi.terminate();
    // Read the same way as when it was there (above).
    a.wait_for_no_list_entry(NEARBY, "avahi-b", GONE_WITHIN);
}

#[test]
fn with_avahi_daemon_on_its_own_host_tcp_chat_still_announces_and_browses() {
    let Some(lan) = lan_or_say_why() else { return };
    let x = Xvfb::start();
    let dir = scratch("dnssd-avahi-a");
    // Host A's own avahi-daemon owns UDP 5353 and publishes chat-a.local, as on
    // Raspberry Pi OS; host B's publishes a service.
    let avahi_a = Avahi::start(&lan.a, "chat-a", &[]);
    let _avahi_b = Avahi::start(&lan.b, "avahi-b", &[("avahi-b", 4321)]);
    let browser = Browser::start(&lan.b);
    let a = window(&x, &lan.a, "chat-a", &["--listen", "--port", "12345"], &dir);
    let seen = browser.wait_for_add(&service("chat-a"), FOUND_WITHIN, |_| true);
    assert_eq!(seen.port, 12345);
    a.wait_for_list_entry(NEARBY, "avahi-b   10.213.0.2 port 4321", FOUND_WITHIN);
    // chat-a.local is avahi's: tcp-chat names its own host records apart, so that the
    // machine keeps its name.
    assert_eq!(seen.server, "chat-a-tcp-chat.local.");
    // And a .local name that avahi answers for is found from the other host, whose
    // system resolver does not do mDNS.
    let mut b = terminal(&lan.b, "chat-b", &["--connect", "chat-a.local:12345"]);
    b.wait_for_output("Connected to chat-a.local:12345 (");
    b.type_line("found by avahi's name");
    a.wait_for_screen("found by avahi's name");
    // Its own log says which name it has: read, it names chat-a.local, and no conflict.
    let said = avahi_a.output();
    assert!(said.contains("Host name is chat-a.local."), "{said}");
    assert!(
        !said.contains("conflict") && !said.contains("Host name is chat-a-2"),
        "{said}"
    );
}

#[test]
fn two_windows_find_each_other_pick_from_nearby_and_chat() {
    let Some(lan) = lan_or_say_why() else { return };
    let x = Xvfb::start();
    let dir = scratch("dnssd-pair");
    let a = window(&x, &lan.a, "chat-a", &["--listen", "--port", "12345"], &dir);
    let b = window(&x, &lan.b, "chat-b", &["--listen", "--port", "12345"], &dir);
    b.move_to(660, 0);
    // Each finds the other, and not itself.
    a.wait_for_list_entry(NEARBY, "chat-b   10.213.0.2 port 12345", FOUND_WITHIN);
    b.wait_for_list_entry(NEARBY, "chat-a   10.213.0.1 port 12345", FOUND_WITHIN);
    // Read the same way as the entries just found.
    for (window, own) in [(&a, "chat-a"), (&b, "chat-b")] {
        let entries = window.screen_list(NEARBY).expect("the window on the bus");
        assert!(!entries.iter().any(|e| e.starts_with(own)), "{entries:?}");
    }

    // B double-clicks chat-a: IP and port are filled in, and it connects.
    let entry = "chat-a   10.213.0.1 port 12345";
    let (x_at, y_at) = b.position_of(entry).expect("the entry is showing");
    b.double_click(x_at, y_at);
    b.wait_for_screen("Connected to 10.213.0.1:12345");
    a.wait_for_screen("Connect : 10.213.0.2 ");
    b.click_named("Message");
    b.type_text("hello from the list");
    b.key("Return");
    a.wait_for_screen("hello from the list");
    b.wait_for_screen("[rcv] Server OK");

    // A picks chat-b with the keyboard: Tab from Connect into the list, Enter.
    a.click_named("Port");
    a.key("Tab Tab Tab Return");
    a.wait_for_screen("Connected to 10.213.0.2:12345");
}

#[test]
fn a_dot_local_name_is_found_by_mdns_where_the_system_resolver_does_not() {
    let Some(lan) = lan_or_say_why() else { return };
    let mut a = terminal(&lan.a, "chat-a", &["--listen", "--port", "12345"]);
    a.wait_for_output("Start Listening");
    // Host B's own resolver knows no chat-a.local (no nss-mdns here).
    let system = Command::new("ip")
        .args(["netns", "exec", &lan.b, "getent", "hosts", "chat-a.local"])
        .output()
        .unwrap();
    assert!(!system.status.success(), "the system resolver found it");

    let mut b = terminal(&lan.b, "chat-b", &["--connect", "chat-a.local:12345"]);
    b.wait_for_output("Connected to chat-a.local:12345 (");
    b.type_line("found you by name");
    a.wait_for_output("found you by name");
    a.type_line("/quit");

    // Without discovery, the name is not found.
    let b = terminal(
        &lan.b,
        "chat-b",
        &["--no-discovery", "--connect", "chat-a.local:1"],
    );
    b.wait_for_output("could not be found");
}

#[test]
fn a_loopback_listener_and_no_discovery_announce_nothing() {
    let Some(lan) = lan_or_say_why() else { return };
    let browser = Browser::start(&lan.b);
    let bound = terminal(
        &lan.a,
        "loop-a",
        &["--listen", "--bind", "127.0.0.1", "--port", "2001"],
    );
    let quiet = terminal(
        &lan.a,
        "quiet-a",
        &["--listen", "--no-discovery", "--port", "2002"],
    );
    bound.wait_for_output("Start Listening");
    quiet.wait_for_output("Start Listening");
    // A listener started after them is seen: theirs would have been seen before it.
    let control = terminal(&lan.a, "control-a", &["--listen", "--port", "2003"]);
    control.wait_for_output("Start Listening");
    browser.wait_present(&service("control-a"), FOUND_WITHIN);
    let seen = browser.output();
    assert!(!seen.contains("loop-a"), "{seen}");
    assert!(!seen.contains("quiet-a"), "{seen}");
}

#[test]
fn two_listeners_with_one_host_name_are_told_apart_as_name_and_name_2() {
    let Some(lan) = lan_or_say_why() else { return };
    let browser = Browser::start(&lan.b);
    // Two terminal chats on host A, both called chat-a, on two ports.
    let mut first = terminal(&lan.a, "chat-a", &["--listen", "--port", "12345"]);
    first.wait_for_output("Start Listening");
    let seen = browser.wait_for_add(&service("chat-a"), FOUND_WITHIN, |_| true);
    assert_eq!(seen.port, 12345);
    let mut second = terminal(&lan.a, "chat-a", &["--listen", "--port", "12346"]);
    second.wait_for_output("Start Listening");
    let renamed = browser.wait_for_add(&service("chat-a (2)"), FOUND_WITHIN, |_| true);
    assert_eq!(renamed.port, 12346);
    // The first keeps its name and port.
    assert!(browser.present(&service("chat-a")));
    let first_now = browser
        .events()
        .into_iter()
        .rev()
        .find_map(|e| e.ok().filter(|s| s.name == service("chat-a")))
        .expect("chat-a seen");
    assert_eq!(first_now.port, 12345);
    second.terminate();
    first.terminate();
}

/// How much more memory than idle a flood may cost the window (the bound).
const FLOOD_MEMORY_MB: f64 = 100.0;

#[test]
fn an_mdns_flood_from_another_host_leaves_memory_bounded_peers_served_and_room_for_real_ones() {
    let Some(lan) = lan_or_say_why() else { return };
    let x = Xvfb::start();
    let dir = scratch("dnssd-flood");
    let a = window(&x, &lan.a, "chat-a", &["--listen", "--port", "12345"], &dir);
    a.wait_for_screen("Start Listening");
    let (idle, _) = memory_mb(a.pid());
    // A TCP peer on host B has each line answered all through the floods.
    let ping = hostile(&lan.b, &["ping", "10.213.0.1", "12345", "40"]);
    a.wait_for_log("Connect : 10.213.0.2");
    // 100,000 made-up services from one made-up address in 10 s.
    let many = hostile(
        &lan.b,
        &["many", "100000", "10.213.0.66", "10.213.0.2", "10000"],
    );
    many.wait_for_output_within("sent 100000", Duration::from_secs(60));
    // Then one service changing every millisecond for 5 s.
    let changing = hostile(&lan.b, &["changing", "5000", "10.213.0.67", "10.213.0.2"]);
    changing.wait_for_output_within("sent ", Duration::from_secs(30));
    let (after, peak) = memory_mb(a.pid());
    assert!(
        !ping.output().contains("replies "),
        "the TCP peer stopped before the floods did: served during only part of them"
    );
    ping.wait_for_output_within("replies ", Duration::from_secs(60));
    let said = ping.output();
    let worst: f64 = said
        .split("worst_ms ")
        .nth(1)
        .and_then(|w| w.trim().parse().ok())
        .expect("the ping's figures");
    let replies: u64 = said
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .expect("the ping's figures");
    println!(
        "idle {idle:.1} MB, peak {peak:.1} MB, after {after:.1} MB; {replies} replies, worst {worst:.1} ms; {} / {}",
        many.output().trim(),
        changing.output().trim()
    );
    assert!(
        peak - idle <= FLOOD_MEMORY_MB,
        "the flood took the window from {idle:.1} MB to {peak:.1} MB"
    );
    assert!(
        replies > 100 && worst < 1000.0,
        "the TCP peer was not served through the flood: {said}"
    );
    // Nearby took its share of the flood, and a real listener heard after it gets in.
    a.wait_for_list_entry(NEARBY, "flood", FOUND_WITHIN);
    let _student = Avahi::start(&lan.b, "student-b", &[("student-b", 4321)]);
    a.wait_for_list_entry(NEARBY, "student-b   10.213.0.2 port 4321", FOUND_WITHIN);
    let (now, _) = memory_mb(a.pid());
    assert!(
        now - idle <= FLOOD_MEMORY_MB,
        "after the flood: {now:.1} MB"
    );
}

#[test]
fn a_room_of_30_in_nearby_is_sorted_and_a_filter_finds_one_at_800_by_480() {
    let Some(lan) = lan_or_say_why() else { return };
    let x = Xvfb::start();
    let dir = scratch("dnssd-room");
    let mut names: Vec<String> = (1..=28).map(|n| format!("student-{n:02}")).collect();
    names.push("Minji 민지".into());
    names.push("minho".into());
    // Thirty machines, each with an address of its own (a machine's share of Nearby is
    // a few: the room's names are announced as if from their own machines).
    let mut room_args = vec!["room", "10.213.0.100", "10.213.0.2"];
    room_args.extend(names.iter().map(String::as_str));
    let a = window(&x, &lan.a, "chat-a", &[], &dir);
    a.resize(800, 480);
    let room = hostile(&lan.b, &room_args);
    room.wait_for_output("announced 30");
    a.wait_for_list_entry(NEARBY, "student-01   10.213.0.100 port 5001", FOUND_WITHIN);
    // All 30 arrive; the list shows the first by name, any case.
    a.wait_for_control("Filter the nearby chats");
    a.wait_for_control("30 of 30 chats shown");
    let first = a.screen_list(NEARBY).unwrap_or_default();
    assert!(
        first.first().is_some_and(|e| e.starts_with("minho   ")),
        "sorted by name, any case: {first:?}"
    );
    a.screenshot("nearby-room-800x480.png");
    // Part of a name finds the two it is in; Enter with one left connects to it.
    a.fill_named("Filter the nearby chats", "min");
    a.wait_for_control("2 of 30 chats shown");
    let two = a.screen_list(NEARBY).unwrap_or_default();
    assert_eq!(
        two,
        [
            "minho   10.213.0.129 port 5030",
            "Minji 민지   10.213.0.128 port 5029"
        ]
    );
    a.fill_named("Filter the nearby chats", "minji");
    a.wait_for_control("1 of 30 chats shown");
    a.key("Return");
    // A made-up machine: the attempt goes to its address and port, and says so.
    a.wait_for_log("Connecting to 10.213.0.128:5029");
}
