//! A real terminal for `tcp-chat --terminal`: tmux runs it, keys are typed with
//! `send-keys`, and the screen is read with `capture-pane`, as a person sees it.
#![allow(dead_code)]

use super::DEADLINE;
use std::process::Command;
use std::time::{Duration, Instant};

/// One tmux server of its own (so tests side by side never meet) with one window.
pub struct Tmux {
    socket: String,
    /// The tmux server's pid, once [`Tmux::freeze`] has asked for it.
    server: std::sync::Mutex<Option<String>>,
}

static SERVERS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// The screen's size: a small terminal, as an SSH window often is.
pub const COLUMNS: u16 = 100;
pub const ROWS: u16 = 30;

impl Tmux {
    /// Runs `tcp-chat --terminal ARGS` (through `prefix`, such as `ip netns exec A`) in a
    /// new terminal with a UTF-8 locale, and waits for its prompt.
    pub fn start(prefix: &[&str], args: &[&str]) -> Self {
        let n = SERVERS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let tmux = Tmux {
            socket: format!("tcp-chat-test-{}-{n}", std::process::id()),
            server: std::sync::Mutex::new(None),
        };
        let config = std::env::temp_dir().join(format!("{}.conf", tmux.socket));
        // The pane stays once the program has left, so its last screen can be read.
        std::fs::write(
            &config,
            "set -g remain-on-exit on\nset -g history-limit 5000\n",
        )
        .unwrap();
        // The exit code goes to a file: tmux's own record of it is not always there.
        let _ = std::fs::remove_file(tmux.exit_file());
        let mut words: Vec<String> = prefix.iter().map(|s| s.to_string()).collect();
        words.push(env!("CARGO_BIN_EXE_tcp-chat").into());
        words.push("--terminal".into());
        // No mDNS on this machine's network: tests talk to loopback only.
        // ... unless `args` ask for it with `--discovery` (taken out here).
        if !args.contains(&"--discovery") {
            words.push("--no-discovery".into());
        }
        words.extend(
            args.iter()
                .filter(|a| **a != "--discovery")
                .map(|s| s.to_string()),
        );
        let quoted: Vec<String> = words
            .iter()
            .map(|w| format!("'{}'", w.replace('\'', r"'\''")))
            .collect();
        let script = format!(
            "{}; echo $? > '{}'",
            quoted.join(" "),
            tmux.exit_file().display()
        );
        let command = [
            "env",
            "LANG=C.UTF-8",
            "TERM=tmux-256color",
            "sh",
            "-c",
            &script,
        ];
        let status = Command::new("tmux")
            .args(["-u", "-L", &tmux.socket, "-f"])
            .arg(&config)
            .args([
                "new-session",
                "-d",
                "-x",
                &COLUMNS.to_string(),
                "-y",
                &ROWS.to_string(),
            ])
            .args(command)
            .env("LANG", "C.UTF-8")
            .status()
            .expect("tmux runs (apt-get install tmux)");
        assert!(status.success(), "tmux could not start tcp-chat");
        tmux.wait_for("> ");
        tmux
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-u", "-L", &self.socket])
            .args(args)
            .env("LANG", "C.UTF-8")
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Types `text` as it is (Korean included).
    pub fn type_text(&self, text: &str) {
        self.tmux(&["send-keys", "-l", text]);
    }

    /// Presses keys by tmux's names: `Enter`, `Up`, `C-a`, `C-c`.
    pub fn press(&self, keys: &[&str]) {
        let mut args = vec!["send-keys"];
        args.extend(keys);
        self.tmux(&args);
    }

    /// Types `text` and presses Enter.
    pub fn enter(&self, text: &str) {
        self.type_text(text);
        self.press(&["Enter"]);
    }

    /// The screen's text, a line a row, without trailing blanks.
    pub fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-J", "-S", "-"])
    }

    /// The screen with its colours, as escape sequences.
    pub fn screen_with_colours(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-e", "-J", "-S", "-"])
    }

    /// The screen's last non-empty row: the prompt and what is typed on it.
    pub fn prompt_row(&self) -> String {
        self.tmux(&["capture-pane", "-p"])
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim_end()
            .to_string()
    }

    /// Waits until the screen shows `text`; returns the screen.
    pub fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "the terminal did not show {text:?} within {DEADLINE:?}; it shows:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until the screen shows `text` `count` times; returns the screen.
    pub fn wait_for_count(&self, text: &str, count: usize) -> String {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let screen = self.screen();
            if screen.matches(text).count() >= count {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "the terminal did not show {text:?} {count} times within {DEADLINE:?}; it shows:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The tcp-chat process (the pane runs it under `sh`).
    pub fn program_pid(&self) -> u32 {
        let out = self.tmux(&["display-message", "-p", "#{pane_pid}"]);
        let shell: u32 = out.trim().parse().expect("the pane's pid");
        let deadline = Instant::now() + DEADLINE;
        loop {
            let children = std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children"))
                .unwrap_or_default();
            // `ip netns exec` and `env` exec the program: one child.
            if let Some(pid) = children.split_whitespace().next() {
                return pid.parse().unwrap();
            }
            assert!(Instant::now() < deadline, "tcp-chat did not start");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Stops (or lets go on) the terminal itself: a stopped tmux reads nothing from the
    /// program, as a terminal over a slow link falls behind.
    /// While frozen, tmux answers no command: only [`Tmux::freeze`] may follow.
    pub fn freeze(&self, frozen: bool) {
        let mut server = self.server.lock().unwrap();
        if server.is_none() {
            let out = self.tmux(&["display-message", "-p", "#{pid}"]);
            *server = Some(out.trim().to_string());
        }
        let signal = if frozen { "-STOP" } else { "-CONT" };
        let pid = server.as_deref().unwrap();
        let status = Command::new("kill").args([signal, pid]).status().unwrap();
        assert!(status.success());
    }

    fn exit_file(&self) -> std::path::PathBuf {
        std::env::temp_dir().join(format!("{}.exit", self.socket))
    }

    /// The program's exit status once it has left, or `None` while it runs.
    pub fn exit_status(&self) -> Option<i32> {
        let text = std::fs::read_to_string(self.exit_file()).ok()?;
        text.trim().parse().ok()
    }

    /// Waits until the program has left, within `limit`; returns its exit status.
    pub fn wait_exit(&self, limit: Duration) -> i32 {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(code) = self.exit_status() {
                return code;
            }
            assert!(
                Instant::now() < deadline,
                "tcp-chat was still running {limit:?} later; the screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Tmux {
    /// Closes the terminal under the program (its pane and server go; it gets SIGHUP).
    pub fn close_terminal(&self) {
        self.tmux(&["kill-server"]);
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        // A test that failed while the terminal was frozen leaves no stopped server.
        if let Some(pid) = self.server.lock().ok().and_then(|s| s.clone()) {
            let _ = Command::new("kill").args(["-CONT", &pid]).status();
        }
        self.tmux(&["kill-server"]);
        let _ = std::fs::remove_file(std::env::temp_dir().join(format!("{}.conf", self.socket)));
        let _ = std::fs::remove_file(self.exit_file());
    }
}
