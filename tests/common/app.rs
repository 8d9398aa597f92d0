//! The real tcp-chat binary in a real X server (Xvfb), driven by real input (xdotool),
//! observed through its `--transcript` and screenshots. No hooks inside the app.
#![allow(dead_code)]

use super::DEADLINE;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use super::xvfb::Xvfb;

/// A running tcp-chat window.
pub struct App {
    pub child: Child,
    pub window: String,
    pub transcript: PathBuf,
    /// Frames the window has drawn (Qt says so on stderr).
    frames: Arc<AtomicUsize>,
    /// The rest of what it wrote to stderr, and whether stderr has closed (it ended).
    said: Arc<std::sync::Mutex<String>>,
    said_all: Arc<std::sync::atomic::AtomicBool>,
    display: String,
    /// The desktop's environment, for the screen reader.
    env: Vec<(&'static str, String)>,
}

/// A folder for one test's files, anyone may write in (an app may run as another user).
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tcp-chat-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let _ = Command::new("chmod").arg("777").arg(&dir).status();
    dir
}

/// Where screenshots of the desktop tests go, for a person to look at.
pub fn screenshot_dir() -> PathBuf {
    let dir = option_env!("CARGO_TARGET_TMPDIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir)
        .join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

impl App {
    /// Starts tcp-chat with `args` (run through `prefix`, such as `ip netns exec A`) and
    /// waits for its window.
    /// No mDNS unless `args` ask for it with `--discovery` (taken out here): tests talk
    /// to loopback, or to their own network namespaces, only.
    pub fn start(x: &Xvfb, prefix: &[&str], args: &[&str], transcript: &Path) -> Self {
        let binary = env!("CARGO_BIN_EXE_tcp-chat");
        Self::start_binary(x, prefix, binary, args, transcript, transcript)
    }

    /// Like [`App::start`], with another tcp-chat binary: one in a root of its own
    /// (`prefix` is then `chroot ROOT`), which writes its transcript to `transcript_arg`,
    /// seen here as `transcript`.
    pub fn start_binary(
        x: &Xvfb,
        prefix: &[&str],
        binary: &str,
        args: &[&str],
        transcript_arg: &Path,
        transcript: &Path,
    ) -> Self {
        let mut command = match prefix.split_first() {
            Some((first, rest)) => {
                let mut c = Command::new(first);
                c.args(rest).arg(binary);
                c
            }
            None => Command::new(binary),
        };
        // Started in the test's folder: a file dialog opens there.
        if let Some(dir) = transcript.parent() {
            command.current_dir(dir);
        }
        // Settings are kept beside the transcript, per test, never in the home folder.
        let config = transcript_arg
            .parent()
            .map_or_else(std::env::temp_dir, Path::to_path_buf)
            .join("config");
        let discovery = args.contains(&"--discovery");
        command
            .args(args.iter().filter(|a| **a != "--discovery"))
            .args((!discovery).then_some("--no-discovery"))
            .env("XDG_CONFIG_HOME", config)
            .arg("--transcript")
            .arg(transcript_arg)
            .envs(x.env())
            .env("QT_QUICK_BACKEND", "software")
            // Qt says when it has drawn a frame: the window is laid out and takes input.
            .env("QT_LOGGING_RULES", "qt.scenegraph.time.renderloop=true")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        // Any early end fails the test (Xvfb runs with -noreset, so it never refuses).
        let mut child = command.spawn().expect("start tcp-chat");
        let frames = Arc::new(AtomicUsize::new(0));
        let said = Arc::new(std::sync::Mutex::new(String::new()));
        let said_all = Arc::new(std::sync::atomic::AtomicBool::new(false));
        {
            let (frames, said, said_all) = (frames.clone(), said.clone(), said_all.clone());
            let stderr = BufReader::new(child.stderr.take().expect("stderr"));
            std::thread::spawn(move || {
                for line in stderr.lines().map_while(Result::ok) {
                    if line.to_lowercase().contains("frame rendered") {
                        frames.fetch_add(1, Ordering::SeqCst);
                    } else if let Ok(mut said) = said.lock() {
                        said.push_str(&line);
                        said.push('\n');
                    }
                }
                said_all.store(true, Ordering::SeqCst);
            });
        }
        let pid = child.id();
        let deadline = Instant::now() + Duration::from_secs(30);
        let window = loop {
            // `ip netns exec` and `setpriv` exec the app: the pid stays the same.
            let found = xdotool_output(
                &x.display,
                &["search", "--onlyvisible", "--pid", &pid.to_string()],
            );
            if let Some(w) = found.and_then(|out| out.lines().last().map(str::to_string)) {
                break w;
            }
            if let Ok(Some(status)) = child.try_wait() {
                std::thread::sleep(Duration::from_millis(100)); // the rest of stderr
                let said = said.lock().map(|s| s.clone()).unwrap_or_default();
                panic!("tcp-chat ended ({status}) before its window appeared:\n{said}");
            }
            assert!(
                Instant::now() < deadline,
                "tcp-chat's window did not appear"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        while frames.load(Ordering::SeqCst) == 0 {
            assert!(
                Instant::now() < deadline,
                "tcp-chat's window appeared but drew no frame"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        let app = Self {
            child,
            window,
            transcript: transcript.to_path_buf(),
            frames,
            said,
            said_all,
            display: x.display.clone(),
            env: x.env(),
        };
        app.wait_for_log("");
        app
    }

    /// Puts the window at (x, y) on the screen; with no window manager, windows overlap.
    pub fn move_to(&self, x: i32, y: i32) {
        self.xdotool(&[
            "windowmove",
            "--sync",
            &self.window,
            &x.to_string(),
            &y.to_string(),
        ]);
    }

    /// Clicks at (x, y) inside the window, giving it the keyboard.
    pub fn click(&self, x: i32, y: i32) {
        self.click_with(x, y, &[]);
    }

    /// Clicks at (x, y) with xdotool's `click` options (`--repeat 2`).
    fn click_with(&self, x: i32, y: i32, options: &[&str]) {
        self.focus();
        let (x, y) = (x.to_string(), y.to_string());
        let mut args = vec!["mousemove", "--window", &self.window, &x, &y, "click"];
        args.extend_from_slice(options);
        args.push("1");
        self.xdotool(&args);
    }

    pub fn focus(&self) {
        self.xdotool(&["windowfocus", "--sync", &self.keyboard_window()]);
    }

    /// Where a window manager would send the keyboard: the window, or a dialog it shows
    /// in a window of its own (Qt 6.8's Save log), which is then its process's newest
    /// visible window with a title; X without a window manager sends keys only where it
    /// is told.
    fn keyboard_window(&self) -> String {
        let pid = self.child.id().to_string();
        let Some(windows) =
            xdotool_output(&self.display, &["search", "--onlyvisible", "--pid", &pid])
        else {
            return self.window.clone();
        };
        windows
            .lines()
            .rev()
            .find(|w| {
                *w == self.window
                    || xdotool_output(&self.display, &["getwindowname", w])
                        .is_some_and(|name| !name.trim().is_empty())
            })
            .unwrap_or(&self.window)
            .to_string()
    }

    /// Presses keys, one after another (xdotool names: `Tab Tab space`, `ctrl+a`, `Escape`).
    pub fn key(&self, keys: &str) {
        self.focus();
        let mut args = vec!["key", "--delay", "30"];
        args.extend(keys.split_whitespace());
        self.xdotool(&args);
    }

    /// Types text as a person would, Korean included.
    pub fn type_text(&self, text: &str) {
        self.focus();
        self.map_keys(text);
        self.xdotool(&["type", "--delay", "20", text]);
    }

    /// Puts each character of `text` that the keymap lacks (Korean) on a free key of its
    /// own first. Else xdotool remaps one spare key for each such character as it types,
    /// and a window that reads the keymap anew after a key press reads the next
    /// character's mapping: a syllable is lost (seen with 100 ms between keys: the Pi's
    /// Qt 6.8 window under qemu, and the PC's now and then at 20 ms).
    fn map_keys(&self, text: &str) {
        let missing: std::collections::BTreeSet<char> =
            text.chars().filter(|c| !c.is_ascii()).collect();
        if missing.is_empty() {
            return;
        }
        let keymap = Command::new("xmodmap")
            .arg("-pke")
            .env("DISPLAY", &self.display)
            .output()
            .expect("xmodmap (x11-xserver-utils)");
        assert!(keymap.status.success(), "xmodmap -pke failed");
        // Keys with no symbol (`keycode 200 =`) or a media key's (`XF86AudioMute`), which
        // no test types.
        let free: Vec<String> = String::from_utf8_lossy(&keymap.stdout)
            .lines()
            .filter_map(|line| {
                let (key, symbols) = line.split_once('=')?;
                let code = key.strip_prefix("keycode")?.trim();
                let first = symbols.split_whitespace().next();
                first
                    .is_none_or(|symbol| symbol.starts_with("XF86"))
                    .then(|| code.to_string())
            })
            .collect();
        assert!(
            free.len() >= missing.len(),
            "{} free keys for {} characters",
            free.len(),
            missing.len()
        );
        let mut args = Vec::new();
        for (c, code) in missing.iter().zip(&free) {
            args.push("-e".to_string());
            args.push(format!("keycode {code} = U{:04X}", u32::from(*c)));
        }
        let status = Command::new("xmodmap")
            .args(&args)
            .env("DISPLAY", &self.display)
            .status()
            .expect("xmodmap (x11-xserver-utils)");
        assert!(status.success(), "xmodmap {args:?} failed");
    }

    /// Waits until the check box a screen reader calls `name` reads as `checked`.
    pub fn wait_for_checked(&self, name: &str, checked: bool) {
        let want = if checked { "true" } else { "false" };
        let deadline = Instant::now() + DEADLINE;
        loop {
            let read = self.read_screen(&["--checked", name]);
            if read.as_deref().map(str::trim) == Some(want) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{name:?} does not read as checked={checked}: {read:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Clicks the first of `names` that shows (a dialog's button is called "Open" by one
    /// Qt release and "Save" by another).
    pub fn click_first_named(&self, names: &[&str]) {
        let deadline = Instant::now() + DEADLINE;
        let (x, y) = loop {
            if let Some(at) = names.iter().find_map(|name| self.position_of(name)) {
                break at;
            }
            assert!(
                Instant::now() < deadline,
                "none of {names:?} shows in the window"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        self.click(x, y);
    }

    /// Clicks the unnamed text field inside the showing thing a screen reader calls
    /// `name` (the file name field of the dialog called `name`).
    pub fn click_field_in(&self, name: &str) {
        let deadline = Instant::now() + DEADLINE;
        let (x, y) = loop {
            let at = self.read_screen(&["--where-field", name]).and_then(|text| {
                let (x, y) = text.trim().split_once(' ')?;
                Some((x.parse().ok()?, y.parse().ok()?))
            });
            if let Some(at) = at {
                break at;
            }
            assert!(Instant::now() < deadline, "no text field shows in {name:?}");
            std::thread::sleep(Duration::from_millis(50));
        };
        self.click(x, y);
    }

    /// Clicks the text field a screen reader calls `name`, selects what it holds and
    /// types `text` over it.
    pub fn fill_named(&self, name: &str, text: &str) {
        self.click_named(name);
        self.key("ctrl+a");
        self.type_text(text);
    }

    /// The window's transcript, without the times in front of its lines.
    pub fn log(&self) -> String {
        super::without_times(&super::complete_lines(&self.transcript))
    }

    /// Waits until the transcript has a line containing `text`, and returns that line.
    pub fn wait_for_log(&self, text: &str) -> String {
        let deadline = Instant::now() + DEADLINE;
        loop {
            if let Some(line) = self.log().lines().find(|l| l.contains(text)) {
                return line.to_string();
            }
            if text.is_empty() && Path::new(&self.transcript).exists() {
                return String::new();
            }
            assert!(
                Instant::now() < deadline,
                "no log line with {text:?}; the log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The lines of the window's log that its view holds, read over AT-SPI as a screen
    /// reader reads them (empty until the window is on the accessibility bus).
    pub fn screen_log(&self) -> Vec<String> {
        self.read_screen(&[])
            .map(|out| out.lines().map(str::to_string).collect())
            .unwrap_or_default()
    }

    /// What the screen reader reads with `args` in this window (see [`read_screen`]).
    fn read_screen(&self, args: &[&str]) -> Option<String> {
        read_screen(self.child.id(), &self.env, args)
    }

    /// What a screen reader reads in the list called `list` (one entry a line): `None`
    /// while the window is not on the accessibility bus, no entries while the list is
    /// hidden. An absence read here is only worth something after a presence was read the
    /// same way ([`App::wait_for_list_entry`]).
    pub fn screen_list(&self, list: &str) -> Option<Vec<String>> {
        self.read_screen(&["--list", list])
            .map(|out| out.lines().map(str::to_string).collect())
    }

    /// Waits until the list called `list` has an entry containing `text`; returns it.
    pub fn wait_for_list_entry(&self, list: &str, text: &str, limit: Duration) -> String {
        let deadline = Instant::now() + limit;
        loop {
            let entries = self.screen_list(list).unwrap_or_default();
            if let Some(entry) = entries.iter().find(|e| e.contains(text)) {
                return entry.clone();
            }
            assert!(
                Instant::now() < deadline,
                "no entry with {text:?} in {list:?} within {limit:?}; it reads: {entries:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until the list called `list` has no entry containing `text` (after it had
    /// one: see [`App::screen_list`]).
    pub fn wait_for_no_list_entry(&self, list: &str, text: &str, limit: Duration) {
        let deadline = Instant::now() + limit;
        loop {
            let entries = self.screen_list(list);
            match &entries {
                Some(entries) if !entries.iter().any(|e| e.contains(text)) => return,
                _ => {}
            }
            assert!(
                Instant::now() < deadline,
                "{text:?} still in {list:?} after {limit:?}; it reads: {entries:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The text a screen reader reads in the showing field called `name`; `None` while
    /// the window is not on the bus or no such field shows.
    pub fn field_text(&self, name: &str) -> Option<String> {
        let out = self.read_screen(&["--text", name])?;
        out.strip_suffix('\n').map(str::to_string)
    }

    /// Where the screen reader says the showing thing called `name` is, in the window.
    pub fn position_of(&self, name: &str) -> Option<(i32, i32)> {
        let text = self.read_screen(&["--where", name])?;
        let (x, y) = text.trim().split_once(' ')?;
        Some((x.parse().ok()?, y.parse().ok()?))
    }

    /// Clicks the showing control a screen reader calls `name` (its accessible name),
    /// waiting for it to show.
    pub fn click_named(&self, name: &str) {
        self.click_first_named(&[name]);
    }

    /// Double-clicks at (x, y) inside the window.
    pub fn double_click(&self, x: i32, y: i32) {
        self.click_with(x, y, &["--repeat", "2", "--delay", "80"]);
    }

    /// The process's id.
    /// How many frames the window has drawn so far.
    pub fn frames(&self) -> usize {
        self.frames.load(Ordering::SeqCst)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits until something in the window is called `name` for a screen reader (a
    /// dialog's title, a control's accessible name).
    pub fn wait_for_control(&self, name: &str) {
        let deadline = Instant::now() + DEADLINE;
        loop {
            if self
                .read_screen(&["--has", name])
                .is_some_and(|out| out.trim() == name)
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "nothing called {name:?} in the window"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until the window itself shows a log line containing `text` (read by the
    /// screen reader), and returns that line.
    pub fn wait_for_screen(&self, text: &str) -> String {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let lines = self.screen_log();
            if let Some(line) = lines.iter().find(|l| l.contains(text)) {
                return line.clone();
            }
            assert!(
                Instant::now() < deadline,
                "the window shows no line with {text:?}; a screen reader reads:\n{}\n\
                 and the transcript (written before the window shows a line) ends:\n{}",
                lines.join("\n"),
                self.log()
                    .lines()
                    .rev()
                    .take(8)
                    .collect::<Vec<_>>()
                    .join("\n")
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The window as a person sees it: the screen where it is, with whatever shows over
    /// it (a dialog in a window of its own).
    pub fn screenshot(&self, name: &str) -> PathBuf {
        let path = screenshot_dir().join(name);
        let (x, y, width, height) = self.geometry();
        let status = Command::new("import")
            .args([
                "-window",
                "root",
                "-crop",
                &format!("{width}x{height}+{x}+{y}"),
            ])
            .arg(&path)
            .env("DISPLAY", &self.display)
            .status()
            .expect("import (package imagemagick)");
        assert!(status.success(), "screenshot failed");
        path
    }

    /// The process's exit code once it has ended (`None` while it runs, or when a signal
    /// ended it).
    pub fn exit_code(&mut self) -> Option<i32> {
        self.child.try_wait().ok().flatten().and_then(|s| s.code())
    }

    /// Sends the process SIGTERM, as a logout or `kill` does.
    pub fn sigterm(&self) {
        // SAFETY: kill(2) with our own child's pid and a plain signal.
        let sent = unsafe { libc::kill(self.pid() as libc::pid_t, libc::SIGTERM) };
        assert_eq!(sent, 0, "kill -TERM {}", self.pid());
    }

    /// Waits for the process to end on its own; returns how long that took.
    pub fn wait_exit(&mut self, limit: Duration) -> Duration {
        let started = Instant::now();
        loop {
            if self.child.try_wait().unwrap().is_some() {
                return started.elapsed();
            }
            assert!(
                started.elapsed() < limit,
                "tcp-chat still running after {limit:?}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Everything it wrote to stderr but its frames, once it has ended and closed
    /// stderr (waited for up to `limit`).
    pub fn stderr_after_exit(&self, limit: Duration) -> String {
        let deadline = Instant::now() + limit;
        while !self.said_all.load(Ordering::SeqCst) {
            assert!(
                Instant::now() < deadline,
                "stderr still open after {limit:?}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        self.said.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Resizes the window, as a person dragging its corner.
    pub fn resize(&self, width: u32, height: u32) {
        self.xdotool(&[
            "windowsize",
            "--sync",
            &self.window,
            &width.to_string(),
            &height.to_string(),
        ]);
    }

    /// The window's size, as the X server has it.
    pub fn size(&self) -> (u32, u32) {
        let (_, _, width, height) = self.geometry();
        (width, height)
    }

    /// Where the window is on the screen and its size, as the X server has them.
    fn geometry(&self) -> (i32, i32, u32, u32) {
        let out = xdotool_output(&self.display, &["getwindowgeometry", &self.window])
            .expect("xdotool getwindowgeometry");
        let field = |name: &str| {
            out.lines()
                .find_map(|l| l.trim().strip_prefix(name))
                .and_then(|v| v.split_whitespace().next())
                .unwrap_or_else(|| panic!("no {name} in {out}"))
                .to_string()
        };
        let (position, size) = (field("Position: "), field("Geometry: "));
        let (x, y) = position.split_once(',').expect("a position");
        let (w, h) = size.split_once('x').expect("a size");
        (
            x.parse().unwrap(),
            y.parse().unwrap(),
            w.parse().unwrap(),
            h.parse().unwrap(),
        )
    }

    fn xdotool(&self, args: &[&str]) {
        let out = super::output_within(
            &format!("xdotool {args:?}"),
            Command::new("xdotool")
                .args(args)
                .env("DISPLAY", &self.display),
            DEADLINE,
        );
        assert!(
            out.status.success(),
            "xdotool {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `tests/common/screen_reader.py` on the window of process `pid` (on the session
/// bus that `env` names) with `args`, and returns what it read; `None` while the window
/// is not on the accessibility bus. A reader that fails, or hangs for 30 s, fails the
/// test: what it could not read is never taken for "not there".
pub fn read_screen(pid: u32, env: &[(&'static str, String)], args: &[&str]) -> Option<String> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/common/screen_reader.py");
    // A node that went away while the tree was walked (exit 4) is read again: a few
    // times, never taken for "not there".
    const TRIES: usize = 5;
    for _ in 0..TRIES {
        let out = super::output_within(
            "the screen reader (python3-pyatspi, at-spi2-core)",
            Command::new("/usr/bin/python3")
                .arg(script)
                .arg(pid.to_string())
                .args(args)
                .envs(env.iter().cloned()),
            Duration::from_secs(30),
        );
        match out.status.code() {
            Some(0) => return Some(String::from_utf8_lossy(&out.stdout).into_owned()),
            Some(3) => return None,
            Some(4) => std::thread::sleep(Duration::from_millis(50)),
            _ => panic!(
                "the screen reader failed ({}) on {args:?}: {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ),
        }
    }
    panic!("the screen reader could not read the window {TRIES} times in a row on {args:?}")
}

fn xdotool_output(display: &str, args: &[&str]) -> Option<String> {
    let out = super::output_within(
        &format!("xdotool {args:?}"),
        Command::new("xdotool").args(args).env("DISPLAY", display),
        DEADLINE,
    );
    let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (out.status.success() && !text.is_empty()).then_some(text)
}
