//! Implementations of mDNS/DNS-SD written elsewhere, run on a test host to check
//! tcp-chat against: python-zeroconf browsing, and avahi-daemon (Raspberry Pi OS's)
//! publishing or just owning UDP 5353.
#![allow(dead_code)]

use super::program::Program;
use super::DEADLINE;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

/// python-zeroconf browsing for `_tcp-chat._tcp` on a test host.
pub struct Browser {
    program: Program,
}

/// A service as the browser saw it announced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub name: String,
    pub port: u16,
    pub addresses: Vec<String>,
    pub version: String,
    pub server: String,
}

impl Browser {
    pub fn start(ns: &str) -> Self {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/common/mdns_browse.py");
        let program = Program::start(Command::new("ip").args([
            "netns",
            "exec",
            ns,
            "/usr/bin/python3",
            "-u",
            script,
        ]));
        program.wait_for_output("ready");
        Self { program }
    }

    /// Every service announced so far (the latest of each), and every removal, in order.
    pub fn events(&self) -> Vec<Result<Seen, String>> {
        self.program
            .output()
            .lines()
            .filter_map(|line| {
                let fields: Vec<&str> = line.split('\t').collect();
                match fields.as_slice() {
                    ["add", name, port, addresses, version, server] => Some(Ok(Seen {
                        name: name.to_string(),
                        port: port.parse().ok()?,
                        addresses: addresses.split(',').map(str::to_string).collect(),
                        version: version.trim_start_matches("v=").to_string(),
                        server: server.to_string(),
                    })),
                    ["remove", name] => Some(Err(name.to_string())),
                    _ => None,
                }
            })
            .collect()
    }

    /// Waits until `name` is announced (with `check` true of it); returns it.
    pub fn wait_for_add(&self, name: &str, limit: Duration, check: impl Fn(&Seen) -> bool) -> Seen {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(Ok(seen)) = self
                .events()
                .into_iter()
                .rev()
                .find(|e| matches!(e, Ok(s) if s.name == name && check(s)))
            {
                return seen;
            }
            assert!(
                Instant::now() < deadline,
                "python-zeroconf did not see {name} within {limit:?}; it printed:\n{}",
                self.program.output()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Whether `name` is announced now (its last event is an announcement).
    pub fn present(&self, name: &str) -> bool {
        self.events()
            .iter()
            .rev()
            .find(|e| matches!(e, Ok(s) if s.name == name) || matches!(e, Err(n) if n == name))
            .is_some_and(|e| e.is_ok())
    }

    /// Waits until `name` is announced now; returns how long that took.
    pub fn wait_present(&self, name: &str, limit: Duration) -> Duration {
        self.wait_until(name, true, limit)
    }

    /// Waits until `name` has been withdrawn; returns how long that took.
    pub fn wait_gone(&self, name: &str, limit: Duration) -> Duration {
        self.wait_until(name, false, limit)
    }

    fn wait_until(&self, name: &str, present: bool, limit: Duration) -> Duration {
        let started = Instant::now();
        while self.present(name) != present {
            assert!(
                started.elapsed() < limit,
                "python-zeroconf did not see {name} {} within {limit:?}; it printed:\n{}",
                if present { "announced" } else { "withdrawn" },
                self.program.output()
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        started.elapsed()
    }

    /// How many times `name` was removed so far.
    pub fn removals(&self, name: &str) -> usize {
        self.events()
            .iter()
            .filter(|e| matches!(e, Err(n) if n == name))
            .count()
    }

    /// Waits until `name` has been removed `count` times.
    pub fn wait_for_removals(&self, name: &str, count: usize, limit: Duration) {
        let deadline = Instant::now() + limit;
        while self.removals(name) < count {
            assert!(
                Instant::now() < deadline,
                "python-zeroconf did not see {name} go (#{count}) within {limit:?}; it printed:\n{}",
                self.program.output()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn output(&self) -> String {
        self.program.output()
    }
}

/// avahi-daemon on a test host, without D-Bus, as its own host `host_name`, publishing
/// `services` (name, port) from `.service` files. Its /run and /etc/avahi/services are
/// its own (a mount namespace), so several can run side by side.
pub struct Avahi {
    program: Program,
    dir: PathBuf,
}

impl Avahi {
    /// Ends it as a shutdown would (SIGTERM): it withdraws what it published.
    pub fn terminate(&mut self) {
        self.program.terminate();
    }

    pub fn start(ns: &str, host_name: &str, services: &[(&str, u16)]) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "tcp-chat-avahi-{ns}-{}-{}",
            std::process::id(),
            host_name
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("services")).unwrap();
        std::fs::write(
            dir.join("avahi-daemon.conf"),
            format!(
                "[server]\nhost-name={host_name}\nuse-ipv4=yes\nuse-ipv6=yes\nenable-dbus=no\n\
                 [wide-area]\nenable-wide-area=no\n\
                 [publish]\npublish-addresses=yes\npublish-hinfo=no\npublish-workstation=no\n"
            ),
        )
        .unwrap();
        for (name, port) in services {
            std::fs::write(
                dir.join(format!("services/{port}.service")),
                format!(
                    "<?xml version=\"1.0\" standalone='no'?>\n\
                     <!DOCTYPE service-group SYSTEM \"avahi-service.dtd\">\n\
                     <service-group>\n  <name>{name}</name>\n  <service>\n    \
                     <type>_tcp-chat._tcp</type>\n    <port>{port}</port>\n    \
                     <txt-record>v=avahi</txt-record>\n  </service>\n</service-group>\n"
                ),
            )
            .unwrap();
        }
        let script = format!(
            "mount -t tmpfs none /run && mkdir -p /run/avahi-daemon && \
             mount --bind {services} /etc/avahi/services && \
             exec avahi-daemon -f {conf} --no-drop-root --no-chroot --no-rlimits",
            services = dir.join("services").display(),
            conf = dir.join("avahi-daemon.conf").display()
        );
        let program = Program::start(
            Command::new("ip")
                .args(["netns", "exec", ns, "unshare", "--mount", "sh", "-c"])
                .arg(script),
        );
        program.wait_for_output("Server startup complete");
        for (name, _) in services {
            let done = format!("Service \"{name}\"");
            let deadline = Instant::now() + DEADLINE;
            while !program.output().contains(&done)
                || !program.output().contains("successfully established")
            {
                assert!(
                    Instant::now() < deadline,
                    "avahi-daemon did not publish {name}:\n{}",
                    program.output()
                );
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        Self { program, dir }
    }

    pub fn output(&self) -> String {
        self.program.output()
    }
}

impl Drop for Avahi {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The resident memory of process `pid` now and at its peak so far, in MB.
pub fn memory_mb(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("a live process");
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<f64>().ok())
            .expect("a memory figure")
            / 1024.0
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// `tests/common/mdns_flood.py` with `args` on host `ns` (a flood, a room, a timed
/// TCP peer: see the script).
pub fn hostile(ns: &str, args: &[&str]) -> Program {
    Program::start(
        Command::new("ip")
            .args(["netns", "exec", ns, "/usr/bin/python3", "-u"])
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/common/mdns_flood.py"
            ))
            .args(args),
    )
}
