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
    dbus: Option<Child>,
    runtime_dir: std::path::PathBuf,
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
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb (package xvfb) is needed");
        let stdout = child.stdout.take().expect("Xvfb's stdout");
        let line = super::within("Xvfb to say its display number", super::DEADLINE, move || {
            let mut line = String::new();
            BufReader::new(stdout)
                .read_line(&mut line)
                .expect("Xvfb's display number");
            line
        });
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
        let (dbus, bus) = match start_session_bus(&runtime_dir) {
            Some((child, address)) => (Some(child), Some(address)),
            None => (None, None),
        };
        Self {
            child,
            display,
            bus,
            dbus,
            runtime_dir,
        }
    }

    /// What a program on this desktop needs in its environment: the display, the session
    /// bus, and Qt's accessibility turned on.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        let mut env = vec![("DISPLAY", self.display.clone())];
        if let Some(bus) = &self.bus {
            env.push(("DBUS_SESSION_BUS_ADDRESS", bus.clone()));
            env.push(("XDG_RUNTIME_DIR", self.runtime_dir.display().to_string()));
            env.push(("QT_LINUX_ACCESSIBILITY_ALWAYS_ON", "1".into()));
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
    let address = super::within("dbus-daemon to say its address", super::DEADLINE, move || {
        let mut address = String::new();
        BufReader::new(stdout).read_line(&mut address).map(|_| address)
    })
    .ok()?;
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
        if let Some(dbus) = &mut self.dbus {
            let _ = dbus.kill();
            let _ = dbus.wait();
        }
        // The accessibility bus and registry it started leave with their session bus.
        let _ = Command::new("pkill")
            .args(["-f", &format!("{}", self.runtime_dir.display())])
            .status();
        let _ = std::fs::remove_dir_all(&self.runtime_dir);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
