//! A private X server (Xvfb) for one test or benchmark, with a D-Bus session of its own
//! whose accessibility bus lets a test read a window as a screen reader does; all gone
//! when dropped.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

pub struct Xvfb {
    child: Child,
    /// The `DISPLAY` to give programs, such as `:3`.
    pub display: String,
    /// The session bus, when `dbus-daemon` could start: `DBUS_SESSION_BUS_ADDRESS`.
    pub bus: Option<String>,
    session: Option<SessionBus>,
    runtime_dir: std::path::PathBuf,
}

/// A D-Bus session of its own, with the accessibility bus started on it, in one runtime
/// folder: what a screen reader needs to read a window on any display. Ends (with the
/// accessibility bus and registry it started) when dropped.
pub struct SessionBus {
    dbus: Child,
    /// `DBUS_SESSION_BUS_ADDRESS`.
    pub address: String,
    runtime_dir: std::path::PathBuf,
}

impl SessionBus {
    /// Starts one in `runtime_dir` (the programs' `XDG_RUNTIME_DIR`); `None` when
    /// dbus-daemon or the accessibility bus cannot start.
    pub fn start(runtime_dir: &std::path::Path) -> Option<Self> {
        let (dbus, address) = start_session_bus(runtime_dir)?;
        Some(Self {
            dbus,
            address,
            runtime_dir: runtime_dir.to_path_buf(),
        })
    }

    /// What a program needs in its environment to be read: the bus, and Qt's
    /// accessibility turned on.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("DBUS_SESSION_BUS_ADDRESS", self.address.clone()),
            ("XDG_RUNTIME_DIR", self.runtime_dir.display().to_string()),
            ("QT_LINUX_ACCESSIBILITY_ALWAYS_ON", "1".into()),
        ]
    }
}

impl Drop for SessionBus {
    fn drop(&mut self) {
        let _ = self.dbus.kill();
        let _ = self.dbus.wait();
        // The accessibility bus and registry it started leave with their session bus.
        let _ = Command::new("pkill")
            // The folder with its slash: `...-1/` is not a prefix of `...-10/`.
            .args(["-f", &format!("{}/", self.runtime_dir.display())])
            .status();
    }
}

impl Xvfb {
    /// Starts Xvfb on a free display number (it picks one and tells us).
    pub fn start() -> Self {
        let mut child = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1400x800x24",
                "-nolisten",
                "tcp",
                // An X server resets itself when its last client leaves, and refuses
                // (resets) whoever connects meanwhile: a window started just as the last
                // one closed, or as an `xdotool search` ended, then died with "could not
                // connect to display" (SIGABRT: 2 starts of 30 when polled every 10 ms).
                "-noreset",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb (package xvfb) is needed");
        let stdout = child.stdout.take().expect("Xvfb's stdout");
        let line = first_line(stdout, "Xvfb to say its display number");
        let display = format!(":{}", line.trim());
        // The accessibility bus lives in XDG_RUNTIME_DIR: one per desktop, so that tests
        // running side by side do not share it.
        let runtime_dir = std::env::temp_dir().join(format!(
            "tcp-chat-runtime-{}-{}",
            std::process::id(),
            display.trim_start_matches(':')
        ));
        let _ = std::fs::create_dir_all(&runtime_dir);
        let _ = Command::new("chmod").arg("700").arg(&runtime_dir).status();
        let session = SessionBus::start(&runtime_dir);
        Self {
            child,
            display,
            bus: session.as_ref().map(|s| s.address.clone()),
            session,
            runtime_dir,
        }
    }

    /// What a program on this desktop needs in its environment: the display, the session
    /// bus, and Qt's accessibility turned on.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        let mut env = vec![("DISPLAY", self.display.clone())];
        if let Some(session) = &self.session {
            env.extend(session.env());
        }
        env
    }
}

/// A private session bus, with the accessibility bus started on it at once (so that a
/// window started next finds it).
fn start_session_bus(runtime_dir: &std::path::Path) -> Option<(Child, String)> {
    let mut child = Command::new("dbus-daemon")
        .args(["--session", "--nofork", "--print-address=1"])
        .env("XDG_RUNTIME_DIR", runtime_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let stdout = child.stdout.take()?;
    let address = first_line(stdout, "dbus-daemon to say its address");
    let address = address.trim().to_string();
    let started = Command::new("dbus-send")
        .args([
            "--session",
            "--print-reply",
            "--dest=org.a11y.Bus",
            "/org/a11y/bus",
            "org.a11y.Bus.GetAddress",
        ])
        .env("DBUS_SESSION_BUS_ADDRESS", &address)
        .env("XDG_RUNTIME_DIR", runtime_dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !started {
        let _ = child.kill();
        let _ = child.wait();
        return None;
    }
    Some((child, address))
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        drop(self.session.take());
        let _ = std::fs::remove_dir_all(&self.runtime_dir);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The first line a program prints, within 10 s, or the test fails saying what it waited
/// for (this file is shared with the benchmarks, so it has its own deadline).
fn first_line(stdout: std::process::ChildStdout, what: &str) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    rx.recv_timeout(std::time::Duration::from_secs(10))
        .unwrap_or_else(|_| panic!("{what} did not happen within 10 s"))
}
