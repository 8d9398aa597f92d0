//! Test hosts on one machine: two network namespaces, `a` (10.213.0.1, fd00:213::1,
//! fe80::a) and `b` (10.213.0.2, ...), joined by a veth pair. Traffic stays inside them.
#![allow(dead_code)]

use super::{cannot_run, is_root};
use std::collections::BTreeSet;
use std::process::Command;

/// Two namespaces, `a` and `b`, and the link between them; removed when dropped.
pub struct Lan {
    pub a: String,
    pub b: String,
    /// A's end of the link.
    pub a_dev: String,
}

/// Tells apart the LANs of tests running side by side in one process.
static LANS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

impl Lan {
    pub fn create() -> Result<Self, String> {
        let n = LANS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let id = format!("{}x{n}", std::process::id() % 100_000);
        let (va, vb) = (format!("tca{id}"), format!("tcb{id}"));
        let lan = Lan {
            a: format!("tcpchat-a{id}"),
            b: format!("tcpchat-b{id}"),
            a_dev: va.clone(),
        };
        for ns in [&lan.a, &lan.b] {
            ip(&["netns", "add", ns])?;
            ip(&["-n", ns, "link", "set", "lo", "up"])?;
        }
        ip(&[
            "link", "add", &va, "netns", &lan.a, "type", "veth", "peer", "name", &vb, "netns",
            &lan.b,
        ])?;
        let ends = [
            (&lan.a, &va, "10.213.0.1/24", "fd00:213::1/64", "fe80::a/64"),
            (&lan.b, &vb, "10.213.0.2/24", "fd00:213::2/64", "fe80::b/64"),
        ];
        for (ns, dev, v4, v6, ll) in ends {
            // Only the addresses set here: no generated link-local address waiting on DAD.
            ip(&["-n", ns, "link", "set", "dev", dev, "addrgenmode", "none"])?;
            ip(&["-n", ns, "addr", "add", v4, "dev", dev])?;
            ip(&["-n", ns, "addr", "add", v6, "dev", dev, "nodad"])?;
            ip(&["-n", ns, "addr", "add", ll, "dev", dev, "nodad"])?;
        }
        for (ns, dev, ..) in ends {
            ip(&["-n", ns, "link", "set", "dev", dev, "up"])?;
        }
        // The kernel reports the carrier a moment later (up to a second): until then the
        // link is "state DOWN", and an mDNS responder started now would leave it out.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        for (ns, dev, ..) in ends {
            loop {
                let out = Command::new("ip")
                    .args(["-n", ns, "-o", "link", "show", "dev", dev])
                    .output()
                    .map_err(|e| e.to_string())?;
                if String::from_utf8_lossy(&out.stdout).contains("state UP") {
                    break;
                }
                if std::time::Instant::now() > deadline {
                    return Err(format!("{dev} in {ns} did not come up"));
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        }
        // `ip netns exec` puts /etc/netns/NAME/hosts over /etc/hosts: each host knows the
        // other by name, as a LAN with local names would.
        for (ns, other_name, other_ip) in [
            (&lan.a, "chat-b", "10.213.0.2"),
            (&lan.b, "chat-a", "10.213.0.1"),
        ] {
            let dir = format!("/etc/netns/{ns}");
            std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
            let hosts = format!("127.0.0.1 localhost\n::1 localhost\n{other_ip} {other_name}\n");
            std::fs::write(format!("{dir}/hosts"), hosts).map_err(|e| e.to_string())?;
        }
        Ok(lan)
    }

    /// The addresses `ns` has, as a person would type them (link-local with `%dev`).
    pub fn addresses(&self, ns: &str) -> BTreeSet<String> {
        let out = Command::new("ip")
            .args(["-n", ns, "-o", "addr", "show"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|line| {
                let fields: Vec<&str> = line.split_whitespace().collect();
                let dev = fields.get(1)?.trim_end_matches(':');
                let addr = fields.get(3)?.split('/').next()?;
                Some(if addr.starts_with("fe80:") {
                    format!("{addr}%{dev}")
                } else {
                    addr.to_string()
                })
            })
            .collect()
    }
}

impl Drop for Lan {
    fn drop(&mut self) {
        for ns in [&self.a, &self.b] {
            let _ = ip(&["netns", "del", ns]);
            let _ = std::fs::remove_dir_all(format!("/etc/netns/{ns}"));
        }
    }
}

/// Two test hosts, or `None` after saying why they cannot be made here (which fails the
/// test under CI).
pub fn lan_or_say_why() -> Option<Lan> {
    if !is_root() {
        cannot_run("making network namespaces needs root");
        return None;
    }
    Lan::create()
        .map_err(|why| cannot_run(&format!("cannot make test hosts here: {why}")))
        .ok()
}

pub fn ip(args: &[&str]) -> Result<(), String> {
    let out = Command::new("ip")
        .args(args)
        .output()
        .map_err(|e| format!("ip: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// The words that run a program on host `ns` under the host name `name` (a UTS
/// namespace of its own), before the program and its arguments.
pub fn on_host(ns: &str, name: &str) -> Vec<String> {
    [
        "ip",
        "netns",
        "exec",
        ns,
        "unshare",
        "--uts",
        "sh",
        "-c",
        "hostname \"$0\" && exec \"$@\"",
        name,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}
