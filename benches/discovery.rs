//! Discovery on a LAN (two test hosts: network namespaces): how long from Listen on
//! host A until host B sees the announcement, and what an idle announcer costs the LAN
//! per minute, each beside an implementation written elsewhere measured in the same run.
//!
//! - 12a: `tcp-chat --terminal --listen` on A, from its "Start Listening" line until
//!   python-zeroconf browsing on B has the service resolved (name, port, addresses);
//!   20 times, each under a host name of its own. Baseline: python-zeroconf registering
//!   a service on A (from the call) until the same browser has it.
//! - 12b: what host A sends over the link in the 60 s after its first 5 s, idle,
//!   listening and browsing (read from the link's counters), with nobody else on the
//!   LAN. Baseline: python-zeroconf announcing a service and browsing for the type, over
//!   the same span; avahi-daemon publishing one service is printed for scale.
//!
//! - 13: a window listening on A while B floods multicast DNS (100,000 made-up
//!   services from one made-up address in 10 s, then one service changing every
//!   millisecond for 5 s) and a TCP peer on B has a line answered every 20 ms: the
//!   window's peak memory above its idle, and the worst reply time. Baseline: the same
//!   window and peer over the same span with nobody flooding. Targets (the issue's):
//!   at most 100 MB above idle; replies within 200 ms.
//!
//! A row is not met when a program it measured did not live to its end, and a link
//! counter that cannot be read fails the run (it never reads as 0).
//!
//! Needs root, avahi-daemon and python3-zeroconf. `./dev.sh bench` runs it after the
//! main table; `cargo bench --bench discovery` alone; `cargo bench --bench discovery --
//! --flood` row 13 alone, `-- --seen` rows 12a and 12c alone.

#[path = "../tests/common/mod.rs"]
mod common;

use common::app::{scratch, App, Xvfb};
use common::mdns::{hostile, memory_mb, Avahi, Browser};
use common::netns::{on_host, Lan};
use common::program::Program;
use common::tmux::Tmux;
use std::process::Command;
use std::time::{Duration, Instant};

const SAMPLES: usize = 20;
/// How long after tcp-chat starts Listen is pressed in row 12a: a person looks at the
/// window first. tcp-chat checks its host name at start (within `NAME_CHECK_WAIT`,
/// 250 ms); a Listen before then waits for it, and that wait would count here.
const PRESSED_AFTER: Duration = Duration::from_secs(1);
/// RFC 6762 section 8.1's least time from Listen to an announcement: a random delay of
/// 0-250 ms, three probes 250 ms apart, and 250 ms after the third.
const RFC_LEAST: Duration = Duration::from_millis(750);
const RFC_MOST: Duration = Duration::from_millis(1000);
/// What the measurement itself may add to the RFC's times (the browser on B resolving
/// the announcement; the key press reaching tcp-chat through tmux).
const MEASURING: Duration = Duration::from_millis(60);
const IDLE: Duration = Duration::from_secs(60);
const LIMIT: Duration = Duration::from_secs(15);

fn main() {
    if !common::is_root() {
        println!("discovery bench: needs root (network namespaces); skipped");
        return;
    }
    let lan = Lan::create().expect("two test hosts");
    if std::env::args().any(|a| a == "--flood") {
        std::process::exit(i32::from(!flood_rows(&lan)));
    }
    let browser = Browser::start(&lan.b);

    // As a person uses it: tcp-chat started, and Listen pressed a second later (its host
    // name was checked meanwhile, at start); timed from the key press.
    let (ours, ours_alive) = latencies(SAMPLES, |n| {
        let name = format!("lat-a{n}");
        let prefix = on_host(&lan.a, &name);
        let prefix: Vec<&str> = prefix.iter().map(String::as_str).collect();
        let port = (20000 + n).to_string();
        let chat = Tmux::start(&prefix, &["--discovery", "--port", &port]);
        std::thread::sleep(PRESSED_AFTER);
        let started = Instant::now();
        chat.enter("/listen");
        browser.wait_present(&format!("{name}._tcp-chat._tcp.local."), LIMIT);
        let took = started.elapsed();
        let lived = alive(chat.program_pid(), "tcp-chat on host A (12a)");
        chat.enter("/quit");
        (took, lived)
    });
    // Started with --listen: the host name is checked first (NAME_CHECK_WAIT), then the
    // same probing; timed from its "Start Listening" line.
    let (listen_at_start, at_start_alive) = latencies(SAMPLES / 2, |n| {
        let name = format!("las-a{n}");
        let mut chat = Program::start(
            Command::new("ip")
                .args(on_host(&lan.a, &name).iter().skip(1))
                .arg(env!("CARGO_BIN_EXE_tcp-chat"))
                .args(["--terminal", "--listen", "--port", &(21000 + n).to_string()])
                .env(
                    "XDG_CONFIG_HOME",
                    std::env::temp_dir().join("tcp-chat-bench-config"),
                ),
        );
        chat.wait_for_output("Start Listening");
        let started = Instant::now();
        browser.wait_present(&format!("{name}._tcp-chat._tcp.local."), LIMIT);
        let took = started.elapsed();
        let lived = alive(chat.pid(), "tcp-chat --listen on host A (12c)");
        chat.terminate();
        (took, lived)
    });
    let (theirs, theirs_alive) = latencies(SAMPLES, |n| {
        let name = format!("py-a{n}");
        let script = python_announcer(&name, 30000 + n as u16, false);
        let mut python = Program::start(
            Command::new("ip")
                .args(["netns", "exec", &lan.a, "/usr/bin/python3", "-u", "-c"])
                .arg(script),
        );
        python.wait_for_output("start");
        let started = Instant::now();
        browser.wait_present(&format!("{name}._tcp-chat._tcp.local."), LIMIT);
        let took = started.elapsed();
        let lived = alive(python.pid(), "python-zeroconf on host A (12a)");
        python.terminate();
        (took, lived)
    });
    drop(browser);

    let (our_median, our_worst) = median_worst(&ours);
    let (their_median, their_worst) = median_worst(&theirs);
    println!();
    println!("| row | measure | tcp-chat | baseline (same run) | ratio | target | result |");
    println!("|---|---|---|---|---|---|---|");
    let mut missed = false;
    // 12a: python-zeroconf (0.47) probes three times 175 ms apart from the call and
    // announces at once after the third; RFC 6762 section 8.1 asks a random 0-250 ms
    // first, 250 ms between probes and 250 ms after the third. Beating it would mean
    // probing faster than the RFC allows: the target is the RFC's own least instead.
    let rfc_row = |what: &str, ours: Duration, theirs: Duration, met: bool, alive: bool| {
        let met = met && alive;
        println!(
            "| 12a | {what} | {:.0} ms | {:.0} ms (python-zeroconf: 3 probes 175 ms apart, no random delay) | {:.2} | {:.0}-{:.0} ms (RFC 6762 8.1: {:.0}-{:.0} ms, + {:.0} ms measuring) | {} |",
            ms(ours),
            ms(theirs),
            ms(ours) / ms(theirs).max(f64::MIN_POSITIVE),
            ms(RFC_LEAST),
            ms(RFC_MOST + MEASURING),
            ms(RFC_LEAST),
            ms(RFC_MOST),
            ms(MEASURING),
            match (met, alive) {
                (true, _) => "met",
                (false, true) => "FAIL",
                (false, false) => "FAIL (a program measured died)",
            }
        );
        met
    };
    // Every sample in the RFC's span: no faster than it allows, nothing added to it.
    let within = |d: Duration| (RFC_LEAST..=RFC_MOST + MEASURING).contains(&d);
    let best = ours.iter().min().copied().unwrap_or_default();
    missed |= !rfc_row(
        &format!("Listen pressed to seen on the other host, median of {SAMPLES}"),
        our_median,
        their_median,
        within(our_median),
        ours_alive && theirs_alive,
    );
    missed |= !rfc_row(
        &format!("... worst of {SAMPLES} (best {:.0} ms)", ms(best)),
        our_worst,
        their_worst,
        within(our_worst) && within(best),
        ours_alive && theirs_alive,
    );
    let (at_start_median, _) = median_worst(&listen_at_start);
    println!(
        "| 12c | started with --listen, to seen (its host name checked first), median of {} | {:.0} ms | {:.0} ms (python-zeroconf) | {:.2} | - (for comparison) | {} |",
        listen_at_start.len(),
        ms(at_start_median),
        ms(their_median),
        ms(at_start_median) / ms(their_median).max(f64::MIN_POSITIVE),
        if at_start_alive { "-" } else { "FAIL (a program measured died)" }
    );
    missed |= !at_start_alive;
    let samples = |ours: &[Duration], theirs: &[Duration]| {
        let shown = |all: &[Duration]| all.iter().map(|d| ms(*d) as u64).collect::<Vec<_>>();
        println!(
            "\nsamples (ms): tcp-chat {:?}\nsamples (ms): tcp-chat --listen {:?}\nsamples (ms): python-zeroconf {:?}",
            shown(ours),
            shown(&listen_at_start),
            shown(theirs)
        );
    };
    // `--seen`: rows 12a and 12c alone.
    if std::env::args().any(|a| a == "--seen") {
        samples(&ours, &theirs);
        std::process::exit(i32::from(missed));
    }

    // Idle: nobody browsing on B; what A sends in a minute.
    let mut idle = Program::start(
        Command::new("ip")
            .args(on_host(&lan.a, "idle-a").iter().skip(1))
            .arg(env!("CARGO_BIN_EXE_tcp-chat"))
            .args(["--terminal", "--listen", "--port", "12345"])
            .env(
                "XDG_CONFIG_HOME",
                std::env::temp_dir().join("tcp-chat-bench-config"),
            ),
    );
    idle.wait_for_output("Start Listening");
    let ours_idle = sent_while(&lan, IDLE);
    let ours_idle_alive = alive(idle.pid(), "the idle tcp-chat on host A (12b)");
    idle.terminate();
    // The same role written elsewhere: python-zeroconf announcing a service and
    // browsing for the type, as tcp-chat does.
    let mut python = Program::start(
        Command::new("ip")
            .args(["netns", "exec", &lan.a, "/usr/bin/python3", "-u", "-c"])
            .arg(python_announcer("idle-py", 12345, true)),
    );
    python.wait_for_output("start");
    let python_idle = sent_while(&lan, IDLE);
    let python_idle_alive = alive(python.pid(), "python-zeroconf on host A (12b)");
    python.terminate();
    // And avahi-daemon publishing one service (browsing nothing).
    let mut avahi = Avahi::start(&lan.a, "avahi-a", &[("avahi-a", 12345)]);
    let avahi_idle = sent_while(&lan, IDLE);
    avahi.terminate();
    // `alive`: every program the row measured lived to its end; else it is not met.
    let mut row = |id: &str,
                   what: &str,
                   (ours, theirs): (f64, f64),
                   unit: &str,
                   base: &str,
                   alive: bool| {
        let ratio = ours / theirs.max(f64::MIN_POSITIVE);
        let met = ratio <= 2.0 && alive;
        missed |= !met;
        println!(
            "| {id} | {what} | {ours:.0} {unit} | {theirs:.0} {unit} ({base}) | {ratio:.2} | <= 2.0 x | {} |",
            match (met, alive) {
                (true, _) => "met",
                (false, true) => "FAIL",
                (false, false) => "FAIL (a program measured died)",
            }
        );
    };
    row(
        "12b",
        "idle, listening and browsing: packets sent in a minute",
        (ours_idle.0 as f64, python_idle.0 as f64),
        "packets",
        "python-zeroconf announcing and browsing",
        ours_idle_alive && python_idle_alive,
    );
    row(
        "12b",
        "... bytes sent in a minute",
        (ours_idle.1 as f64, python_idle.1 as f64),
        "B",
        "python-zeroconf announcing and browsing",
        ours_idle_alive && python_idle_alive,
    );
    missed |= !flood_rows(&lan);
    println!(
        "\nfor scale: avahi-daemon publishing one service and browsing nothing sent {} packets, {} B in the same minute",
        avahi_idle.0, avahi_idle.1
    );
    samples(&ours, &theirs);
    std::process::exit(i32::from(missed));
}

/// Row 13, printed as rows of the table; whether both were met.
fn flood_rows(lan: &Lan) -> bool {
    let flooded = under_flood(lan, true);
    let calm = under_flood(lan, false);
    let mut missed = false;
    for (what, ours, theirs, unit, target, met) in [
        (
            "window's peak memory above idle",
            flooded.above_idle,
            calm.above_idle,
            "MB",
            "<= 100 MB",
            flooded.above_idle <= 100.0,
        ),
        (
            "worst reply to a TCP peer",
            flooded.worst_ms,
            calm.worst_ms,
            "ms",
            "< 200 ms",
            flooded.worst_ms < 200.0 && flooded.replies > 0,
        ),
    ] {
        missed |= !met;
        println!(
            "| 13 | mDNS flood (100,000 services, then one changing each ms): {what} | {ours:.1} {unit} | {theirs:.1} {unit} (no flood) | {:.2} | {target} | {} |",
            ours / theirs.max(0.1),
            if met { "met" } else { "FAIL" }
        );
    }
    println!(
        "\nrow 13: {} / {}; {} replies under the flood, {} without",
        flooded.sent, calm.sent, flooded.replies, calm.replies
    );
    !missed
}

/// What row 13 measured of one window.
struct Flooded {
    above_idle: f64,
    worst_ms: f64,
    replies: u64,
    /// What the flood said it sent.
    sent: String,
}

/// A window listening on host A, a TCP peer on B timing its answers for 20 s, and with
/// `flood`, B flooding mDNS meanwhile (row 13).
fn under_flood(lan: &Lan, flood: bool) -> Flooded {
    let x = Xvfb::start();
    let dir = scratch("bench-flood");
    let prefix = on_host(&lan.a, "flood-a");
    let prefix: Vec<&str> = prefix.iter().map(String::as_str).collect();
    let window = App::start(
        &x,
        &prefix,
        &["--discovery", "--listen", "--port", "12345"],
        &dir.join(format!("flood-{flood}.txt")),
    );
    window.wait_for_screen("Start Listening");
    let (idle, _) = memory_mb(window.pid());
    let ping = hostile(&lan.b, &["ping", "10.213.0.1", "12345", "20"]);
    let mut sent = String::from("no flood");
    if flood {
        let many = hostile(
            &lan.b,
            &["many", "100000", "10.213.0.66", "10.213.0.2", "10000"],
        );
        many.wait_for_output_within("sent ", Duration::from_secs(60));
        let changing = hostile(&lan.b, &["changing", "5000", "10.213.0.67", "10.213.0.2"]);
        changing.wait_for_output_within("sent ", Duration::from_secs(30));
        sent = format!("{} and {}", many.output().trim(), changing.output().trim());
    }
    ping.wait_for_output_within("replies ", Duration::from_secs(40));
    let (_, peak) = memory_mb(window.pid());
    let said = ping.output();
    let figure = |after: &str| {
        said.split(after)
            .nth(1)
            .and_then(|w| w.split_whitespace().next()?.parse::<f64>().ok())
            .expect("the ping's figures")
    };
    Flooded {
        above_idle: peak - idle,
        worst_ms: figure("worst_ms "),
        replies: figure("replies ") as u64,
        sent,
    }
}

/// A python-zeroconf program that announces `name` on `port` (and browses for the
/// type too, with `browse`), prints "start" just before, and withdraws it when stdin
/// closes.
fn python_announcer(name: &str, port: u16, browse: bool) -> String {
    format!(
        "import sys, socket\n\
         from zeroconf import Zeroconf, ServiceInfo, ServiceBrowser, IPVersion\n\
         zc = Zeroconf(ip_version=IPVersion.All)\n\
         info = ServiceInfo('_tcp-chat._tcp.local.', '{name}._tcp-chat._tcp.local.', \
         port={port}, properties={{'v': 'py'}}, server='{name}.local.', \
         addresses=[socket.inet_aton('10.213.0.1')])\n\
         print('start', flush=True)\n\
         zc.register_service(info)\n\
         {browse}\n\
         sys.stdin.read()\n\
         zc.unregister_service(info)\n",
        browse = if browse {
            "b = ServiceBrowser(zc, '_tcp-chat._tcp.local.', handlers=[lambda **kw: None])"
        } else {
            ""
        }
    )
}

/// `n` samples of `one`, which says how long, and whether what it measured still ran at
/// its end; and whether every one did.
fn latencies(n: usize, mut one: impl FnMut(usize) -> (Duration, bool)) -> (Vec<Duration>, bool) {
    let mut all_alive = true;
    let samples: Vec<Duration> = (0..n)
        .map(|i| {
            let (took, alive) = one(i);
            all_alive &= alive;
            took
        })
        .collect();
    (samples, all_alive)
}

/// Whether the program `pid` still runs; says on stderr when it does not.
fn alive(pid: u32, what: &str) -> bool {
    let running = common::process::running(pid);
    if !running {
        eprintln!("discovery bench: {what} (pid {pid}) died during its row");
    }
    running
}

fn median_worst(samples: &[Duration]) -> (Duration, Duration) {
    let mut sorted = samples.to_vec();
    sorted.sort();
    (sorted[sorted.len() / 2], *sorted.last().unwrap())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Packets and bytes host A sends over its link during `span`. A counter that cannot be
/// read fails the run: read as 0, it would pass row 12b.
fn sent_while(lan: &Lan, span: Duration) -> (u64, u64) {
    let counters = || {
        let read = |what: &str| -> u64 {
            let file = format!("/sys/class/net/{}/statistics/tx_{what}", lan.a_dev);
            let out = Command::new("ip")
                .args(["netns", "exec", &lan.a, "cat"])
                .arg(&file)
                .output()
                .expect("ip netns exec cat");
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success(),
                "cannot read host A's ({}) link counter {file}: {}",
                lan.a,
                String::from_utf8_lossy(&out.stderr).trim()
            );
            text.trim().parse().unwrap_or_else(|e| {
                panic!(
                    "host A's ({}) link counter {file} is not a count ({:?}): {e}",
                    lan.a,
                    text.trim()
                )
            })
        };
        (read("packets"), read("bytes"))
    };
    // The first announcements (three in the first seconds) are not idle traffic.
    std::thread::sleep(Duration::from_secs(5));
    let before = counters();
    std::thread::sleep(span);
    let after = counters();
    (after.0 - before.0, after.1 - before.1)
}
