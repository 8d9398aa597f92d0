//! Raspberry Pi OS's desktop is a Wayland desktop (labwc): the real binary on Qt's
//! Wayland platform, in a headless Wayland compositor (weston), draws its window and
//! chats, and what it shows is read as a screen reader reads it (AT-SPI, which is D-Bus
//! and works the same on Wayland). X11 is covered by the desktop tests.

mod common;

use common::{cannot_run, free_port, read_line, DEADLINE};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A headless weston, ended with the test.
struct Weston {
    child: Child,
    runtime_dir: std::path::PathBuf,
    socket: String,
}

impl Weston {
    fn start() -> Option<Self> {
        let runtime_dir =
            std::env::temp_dir().join(format!("tcp-chat-wayland-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&runtime_dir);
        std::fs::create_dir_all(&runtime_dir).unwrap();
        // Wayland wants its runtime folder private.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&runtime_dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        let socket = "wayland-tcp-chat".to_string();
        let child = Command::new("weston")
            .args(["--backend=headless-backend.so", "--idle-time=0"])
            .arg(format!("--socket={socket}"))
            .env("XDG_RUNTIME_DIR", &runtime_dir)
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let weston = Self {
            child,
            runtime_dir,
            socket,
        };
        let deadline = Instant::now() + DEADLINE;
        while !weston.runtime_dir.join(&weston.socket).exists() {
            assert!(Instant::now() < deadline, "weston did not open its socket");
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(weston)
    }
}

impl Drop for Weston {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.runtime_dir);
    }
}

#[test]
fn the_window_draws_and_chats_on_wayland() {
    if !Path::new("/usr/bin/weston").exists() {
        cannot_run("weston is not installed (./dev.sh test installs it)");
        return;
    }
    let Some(weston) = Weston::start() else {
        cannot_run("weston would not start");
        return;
    };
    let Some(session) = common::xvfb::SessionBus::start(&weston.runtime_dir) else {
        cannot_run("no D-Bus session with an accessibility bus (dbus, at-spi2-core)");
        return;
    };
    let port = free_port();
    let transcript = weston.runtime_dir.join("transcript.txt");
    let mut app = Command::new(env!("CARGO_BIN_EXE_tcp-chat"))
        .env("XDG_CONFIG_HOME", common::test_config_home())
        .args([
            "--listen",
            "--no-discovery",
            "--port",
            &port.to_string(),
            "--transcript",
        ])
        .arg(&transcript)
        .envs(session.env())
        .env("XDG_RUNTIME_DIR", &weston.runtime_dir)
        .env("WAYLAND_DISPLAY", &weston.socket)
        // Wayland and nothing else: no X server to fall back on.
        .env("QT_QPA_PLATFORM", "wayland")
        .env_remove("DISPLAY")
        // Qt 6.4's Wayland plugin crashes (QWaylandInputDevice::textInput) when the
        // compositor has no seat, as headless weston has none; a desktop (labwc on the
        // Pi) always has one. An input method other than Wayland's text-input avoids it.
        .env("QT_IM_MODULE", "compose")
        .env("QT_LOGGING_RULES", "qt.scenegraph.time.renderloop=true")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start tcp-chat");
    // Qt says when it has drawn a frame; anything else it says is kept for a failure.
    let (drawn_tx, drawn) = mpsc::channel();
    let stderr = BufReader::new(app.stderr.take().unwrap());
    let said = std::thread::spawn(move || {
        let mut said = String::new();
        for line in stderr.lines().map_while(Result::ok) {
            if line.to_lowercase().contains("frame rendered") {
                let _ = drawn_tx.send(());
            } else {
                said.push_str(&line);
                said.push('\n');
            }
        }
        said
    });
    let frame = drawn.recv_timeout(Duration::from_secs(30));
    if frame.is_err() {
        let _ = app.kill();
        let _ = app.wait();
        panic!(
            "tcp-chat drew no frame on Wayland within 30 s; it said:\n{}",
            said.join().unwrap_or_default()
        );
    }
    // Its listener answers a peer, and the line reaches the log.
    let deadline = Instant::now() + DEADLINE;
    let stream = loop {
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(s) => break s,
            Err(e) => {
                assert!(Instant::now() < deadline, "tcp-chat did not listen: {e}");
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    };
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    (&stream)
        .write_all("안녕하세요 from Wayland\n".as_bytes())
        .unwrap();
    let mut reader = BufReader::new(stream);
    assert_eq!(read_line(&mut reader), "Server OK");
    // The window shows the line (read from the window, not from its transcript).
    let want = "[rcv] 안녕하세요 from Wayland";
    let deadline = Instant::now() + DEADLINE;
    loop {
        let shown = common::app::read_screen(app.id(), &session.env(), &[]).unwrap_or_default();
        if shown.lines().any(|l| l == want) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the window on Wayland shows no `{want}`; a screen reader reads:\n{shown}\n\
             and the transcript has:\n{}",
            common::complete_lines(&transcript)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = app.kill();
    let _ = app.wait();
}
