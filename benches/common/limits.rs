//! A machine as small as a Pi, simulated: a control group that gives the programs in it
//! an eighth of one core and 256 MB, for `cargo bench --bench perf -- --small-pi`.
//!
//! The CPU limit has a short period (1.25 ms of every 10 ms), so that it slows a program
//! down evenly, as a slower core does, instead of freezing it for most of every 100 ms
//! (the default period). Memory is limited in all (page cache included: the transcript
//! on disk counts), with no swap to escape to. Both cgroup v2 (`cpu.max`, `memory.max`,
//! a systemd machine) and the older v1 hierarchies (`cpu.cfs_quota_us`,
//! `memory.limit_in_bytes`, some containers) are used, whichever has the controllers.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The CPU a small Pi is given here: `QUOTA_US` of every `PERIOD_US`.
pub const QUOTA_US: u64 = 1250;
pub const PERIOD_US: u64 = 10_000;
/// Its memory, page cache included.
pub const MEMORY_BYTES: u64 = 256 << 20;

/// The control group (or the v1 pair of groups) the limited programs run in.
pub struct Limits {
    /// The directories whose `cgroup.procs` a program joins (one for v2, two for v1).
    groups: Vec<PathBuf>,
    /// Where the memory controller's files are.
    memory: PathBuf,
    v2: bool,
}

impl Limits {
    /// Makes the group, named after this process; `Err` says why it cannot be (not
    /// root, no controllers).
    pub fn create() -> Result<Self, String> {
        let name = format!("tcp-chat-small-pi-{}", std::process::id());
        let root = Path::new("/sys/fs/cgroup");
        let controllers =
            std::fs::read_to_string(root.join("cgroup.controllers")).unwrap_or_default();
        let has = |c: &str| controllers.split_whitespace().any(|have| have == c);
        // Each group made is in `limits` at once: a step that fails after it leaves
        // nothing behind (its `Drop` removes them).
        if has("cpu") && has("memory") {
            // v2: the controllers must be on for the root's children.
            let _ = std::fs::write(root.join("cgroup.subtree_control"), "+cpu +memory");
            let group = root.join(&name);
            make(&group)?;
            let limits = Self {
                groups: vec![group.clone()],
                memory: group.clone(),
                v2: true,
            };
            write(&group.join("cpu.max"), &format!("{QUOTA_US} {PERIOD_US}"))?;
            write(&group.join("memory.max"), &MEMORY_BYTES.to_string())?;
            let _ = std::fs::write(group.join("memory.swap.max"), "0");
            return Ok(limits);
        }
        let (cpu_root, memory_root) = (root.join("cpu"), own_v1_memory_group(root));
        if !cpu_root.join("cpu.cfs_quota_us").exists() || !memory_root.exists() {
            return Err("no cgroup with the cpu and memory controllers".into());
        }
        let (cpu, memory) = (cpu_root.join(&name), memory_root.join(&name));
        make(&cpu)?;
        let mut limits = Self {
            groups: vec![cpu.clone()],
            memory: memory.clone(),
            v2: false,
        };
        make(&memory)?;
        limits.groups.push(memory.clone());
        write(&cpu.join("cpu.cfs_period_us"), &PERIOD_US.to_string())?;
        write(&cpu.join("cpu.cfs_quota_us"), &QUOTA_US.to_string())?;
        write(
            &memory.join("memory.limit_in_bytes"),
            &MEMORY_BYTES.to_string(),
        )?;
        // With swap accounted, no swap either.
        let _ = std::fs::write(
            memory.join("memory.memsw.limit_in_bytes"),
            MEMORY_BYTES.to_string(),
        );
        Ok(limits)
    }

    /// What starts programs inside the group (the group itself stays with `self`, and
    /// is removed when it goes).
    pub fn joiner(&self) -> Joiner {
        Joiner {
            groups: self.groups.clone(),
        }
    }

    /// How many times the kernel killed a program of the group for want of memory.
    pub fn oom_kills(&self) -> u64 {
        let file = if self.v2 {
            "memory.events"
        } else {
            "memory.oom_control"
        };
        std::fs::read_to_string(self.memory.join(file))
            .unwrap_or_default()
            .lines()
            .find_map(|l| l.strip_prefix("oom_kill "))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or(0)
    }

    /// What the limits are, as the table says them.
    pub fn said(&self) -> String {
        format!(
            "{} of a core ({QUOTA_US} us every {PERIOD_US} us), {} MB (cgroup {})",
            fraction(QUOTA_US, PERIOD_US),
            MEMORY_BYTES >> 20,
            if self.v2 { "v2" } else { "v1" }
        )
    }
}

/// Starts programs inside a [`Limits`] group.
#[derive(Clone)]
pub struct Joiner {
    groups: Vec<PathBuf>,
}

impl Joiner {
    /// Waits until the programs of the group have used no CPU for 300 ms (at most 5 s):
    /// a baseline measured next, in the same group, then has the CPU to itself.
    pub fn settle(&self) {
        // v2's `cpu.stat` counts the CPU used; v1's, the periods its programs ran in.
        let usage = || std::fs::read_to_string(self.groups[0].join("cpu.stat")).unwrap_or_default();
        let (mut last, mut since) = (usage(), std::time::Instant::now());
        let give_up = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while since.elapsed() < std::time::Duration::from_millis(300)
            && std::time::Instant::now() < give_up
        {
            std::thread::sleep(std::time::Duration::from_millis(50));
            let now = usage();
            if now != last {
                (last, since) = (now, std::time::Instant::now());
            }
        }
    }

    /// How often the group has run out of its slice so far (its `cpu.stat`, v1 and v2
    /// alike), `None` where the kernel does not say.
    pub fn throttling(&self) -> Option<Throttling> {
        let stat = std::fs::read_to_string(self.groups[0].join("cpu.stat")).ok()?;
        let field = |name: &str| {
            stat.lines()
                .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
                .and_then(|n| n.trim().parse::<u64>().ok())
        };
        Some(Throttling {
            periods: field("nr_periods")?,
            throttled: field("nr_throttled")?,
        })
    }

    /// `program` to be run inside the group from its first instruction: a shell joins
    /// the group, then becomes the program (same pid).
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let joins: Vec<String> = self
            .groups
            .iter()
            .map(|g| format!("echo $$ > '{}'", g.join("cgroup.procs").display()))
            .collect();
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(format!("{} && exec \"$@\"", joins.join(" && ")))
            .arg("sh")
            .arg(program);
        command
    }
}

/// A group's CPU throttling, counted since it was made (or between two readings: `since`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Throttling {
    /// Periods (of `PERIOD_US`) in which the group's programs wanted the CPU.
    pub periods: u64,
    /// Of those, the ones whose quota ran out before the period's end: its programs then
    /// waited for the next period.
    pub throttled: u64,
}

impl Throttling {
    /// What happened between `earlier` and this reading.
    pub fn since(self, earlier: Throttling) -> Throttling {
        Throttling {
            periods: self.periods.saturating_sub(earlier.periods),
            throttled: self.throttled.saturating_sub(earlier.throttled),
        }
    }

    /// Two spans' throttling together.
    pub fn add(self, other: Throttling) -> Throttling {
        Throttling {
            periods: self.periods + other.periods,
            throttled: self.throttled + other.throttled,
        }
    }
}

impl Drop for Limits {
    fn drop(&mut self) {
        for group in &self.groups {
            // Whatever still runs in it is ended first: a group with members stays.
            let procs = std::fs::read_to_string(group.join("cgroup.procs")).unwrap_or_default();
            for pid in procs.split_whitespace() {
                let _ = Command::new("kill").args(["-9", pid]).status();
            }
            for _ in 0..50 {
                if std::fs::remove_dir(group).is_ok() {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        }
    }
}

/// The v1 memory group this process is in (a container's own), under which a child
/// group may be made.
fn own_v1_memory_group(root: &Path) -> PathBuf {
    let own = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
    let path = own
        .lines()
        .find_map(|l| {
            let mut parts = l.splitn(3, ':');
            let (_, controllers, path) = (parts.next()?, parts.next()?, parts.next()?);
            controllers
                .split(',')
                .any(|c| c == "memory")
                .then(|| path.trim_start_matches('/').to_string())
        })
        .unwrap_or_default();
    root.join("memory").join(path)
}

fn make(dir: &Path) -> Result<(), String> {
    std::fs::create_dir(dir).map_err(|e| format!("cannot make {}: {e}", dir.display()))
}

fn write(file: &Path, value: &str) -> Result<(), String> {
    std::fs::write(file, value).map_err(|e| format!("cannot set {}: {e}", file.display()))
}

fn fraction(part: u64, whole: u64) -> String {
    if whole.is_multiple_of(part) {
        format!("1/{}", whole / part)
    } else {
        format!("{part}/{whole}")
    }
}
