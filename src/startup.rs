//! What a run starts with, made from the command line and (for the window) what it saved
//! last time: [`Startup`] for the chat, which both front ends have, and [`WindowStart`]
//! for what only the window has (its size, its log's limit, its settings file). Made
//! once in `main` and handed to the front end: nothing reads it from a global.

use crate::cli::{Cli, LineEndingArg, DEFAULT_LOG_LINES};
use crate::engine::chat::{LineEnding, Settings, DEFAULT_AUTO_REPLY};
use crate::engine::session::Config;
use crate::engine::transcript::DEFAULT_TRANSCRIPT_MAX;
use crate::i18n::Speech;
use crate::settings::{self, Saved};
use std::path::PathBuf;

/// The window's size when nothing else is said.
pub const DEFAULT_WIDTH: u32 = 640;
pub const DEFAULT_HEIGHT: u32 = 480;
/// The port when nothing else is said.
pub const DEFAULT_PORT: u16 = 12345;

/// What the chat starts with, in the window and in the terminal: the engine's settings
/// and what to prefill or start.
#[derive(Debug, Clone)]
pub struct Startup {
    pub settings: Settings,
    /// What the port field starts with: `--connect`'s port if it has one, else `--port`.
    pub port: String,
    /// The port `--listen` listens on: `--port`.
    pub listen_port: String,
    pub host: String,
    pub listen: bool,
    pub connect: bool,
    pub transcript: Option<PathBuf>,
    pub transcript_max: u64,
    pub timestamps: bool,
    /// Announce the listener and find others on the LAN (DNS-SD); off with
    /// `--no-discovery`, and where nothing asked for it (tests that build a Startup).
    pub discovery: bool,
    /// The auto-reply's text, shown in its field even while it is off.
    pub auto_reply_text: String,
}

impl Default for Startup {
    fn default() -> Self {
        Self {
            settings: Settings::default(),
            port: DEFAULT_PORT.to_string(),
            listen_port: DEFAULT_PORT.to_string(),
            host: "127.0.0.1".into(),
            listen: false,
            connect: false,
            transcript: None,
            transcript_max: DEFAULT_TRANSCRIPT_MAX,
            timestamps: false,
            discovery: false,
            auto_reply_text: DEFAULT_AUTO_REPLY.into(),
        }
    }
}

/// What the window starts with besides the chat's [`Startup`].
#[derive(Debug, Clone)]
pub struct WindowStart {
    pub chat: Startup,
    /// The window's words in the run's language.
    pub speech: Speech,
    /// The most lines the log keeps (`--log-lines`).
    pub log_lines: usize,
    /// The window's size at start.
    pub width: u32,
    pub height: u32,
    /// Where the window remembers its fields; `None` with `--no-settings` (or no home).
    pub settings_file: Option<PathBuf>,
    /// What could not be used of the saved settings, as a sentence for the log.
    pub settings_problem: Option<String>,
    /// What was saved last time, for the fields the command line set for this run only:
    /// closing the window saves those as they were, unless changed in the window.
    pub saved: Saved,
    pub given: Given,
}

impl Default for WindowStart {
    fn default() -> Self {
        Self {
            chat: Startup::default(),
            speech: Speech::window(),
            log_lines: DEFAULT_LOG_LINES,
            width: DEFAULT_WIDTH,
            height: DEFAULT_HEIGHT,
            settings_file: None,
            settings_problem: None,
            saved: Saved::default(),
            given: Given::default(),
        }
    }
}

/// Which remembered fields the command line set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Given {
    pub host: bool,
    pub port: bool,
    pub auto_reply: bool,
    pub name: bool,
}

impl From<Cli> for Startup {
    /// The terminal's start: the command line alone (the terminal saves nothing).
    fn from(cli: Cli) -> Self {
        Startup::with_saved(&cli, &Saved::default())
    }
}

impl Startup {
    /// What the engine's session is made from, its transcript in `speech`'s words.
    pub fn config(&self, speech: Speech) -> Config {
        Config {
            settings: self.settings.clone(),
            transcript: self.transcript.clone(),
            transcript_max: self.transcript_max,
            words: std::sync::Arc::new(move |event, line| speech.write_log_line(event, line)),
            discovery: self.discovery,
        }
    }

    /// What to start with: the command line, and for what it leaves unsaid, what the
    /// window saved last time.
    pub fn with_saved(cli: &Cli, saved: &Saved) -> Startup {
        let auto_reply_text = cli
            .auto_reply
            .clone()
            .or_else(|| saved.auto_reply.clone())
            .unwrap_or_else(|| DEFAULT_AUTO_REPLY.to_string());
        let auto_reply_on = if cli.no_auto_reply {
            false
        } else {
            cli.auto_reply.is_some() || saved.auto_reply_on.unwrap_or(true)
        };
        let line_ending = match cli.line_ending {
            LineEndingArg::Lf => LineEnding::Lf,
            LineEndingArg::Crlf => LineEnding::CrLf,
            LineEndingArg::None => LineEnding::None,
        };
        let port = cli
            .port
            .map(|p| p.to_string())
            .or_else(|| saved.port.clone())
            .unwrap_or_else(|| DEFAULT_PORT.to_string());
        let (host, field_port) = match &cli.connect {
            Some((host, Some(port))) => (host.to_string(), port.to_string()),
            Some((host, None)) => (host.to_string(), port.clone()),
            None => (
                saved
                    .host
                    .clone()
                    .unwrap_or_else(|| Startup::default().host),
                port.clone(),
            ),
        };
        Startup {
            settings: Settings {
                bind: cli.bind,
                auto_reply: auto_reply_on.then(|| auto_reply_text.clone()),
                line_ending,
                max_peers: cli.max_peers,
                max_per_host: cli.max_per_host,
                name: cli.name.clone().or_else(|| saved.name.clone()),
                access: crate::engine::access::Access {
                    allow: cli.allow.clone(),
                    deny: cli.deny.clone(),
                },
                relay: cli.relay,
                wire: cli.wire,
                ..Settings::default()
            },
            port: field_port,
            listen_port: port,
            host,
            listen: cli.listen,
            connect: cli.connect.is_some(),
            transcript: cli.transcript.clone(),
            transcript_max: cli.transcript_max,
            timestamps: cli.timestamps,
            discovery: !cli.no_discovery,
            auto_reply_text,
        }
    }
}

impl WindowStart {
    /// The window's start: the command line, and for what it leaves unsaid the saved
    /// settings (none with `--no-settings`).
    pub fn from_cli(cli: &Cli) -> Self {
        let file = if cli.no_settings {
            None
        } else {
            settings::path()
        };
        let (saved, problem) = file.as_deref().map(settings::load).unwrap_or_default();
        let mut start = Self::with_saved(cli, &saved);
        start.settings_file = file;
        start.settings_problem = problem;
        start
    }

    /// The window's start from the command line and `saved` (no file read).
    pub fn with_saved(cli: &Cli, saved: &Saved) -> Self {
        WindowStart {
            chat: Startup::with_saved(cli, saved),
            speech: Speech::window(),
            log_lines: cli.log_lines,
            width: saved.width.unwrap_or(DEFAULT_WIDTH),
            height: saved.height.unwrap_or(DEFAULT_HEIGHT),
            settings_file: None,
            settings_problem: None,
            saved: saved.clone(),
            given: Given {
                host: cli.connect.is_some(),
                port: cli.port.is_some() || matches!(cli.connect, Some((_, Some(_)))),
                auto_reply: cli.auto_reply.is_some() || cli.no_auto_reply,
                name: cli.name.is_some(),
            },
        }
    }

    /// What to save when the window closes with these fields: as shown, except a field
    /// that the command line set for this run and the person left as it was, which
    /// keeps what was saved before.
    pub fn to_save(&self, shown: Saved) -> Saved {
        let keep = |given: bool, now: &Option<String>, at_start: &str, before: &Option<String>| {
            if given && now.as_deref() == Some(at_start) {
                before.clone()
            } else {
                now.clone()
            }
        };
        let chat = &self.chat;
        let auto_reply_at_start = chat.settings.auto_reply.is_some();
        let auto_reply_unchanged = shown.auto_reply.as_deref() == Some(&chat.auto_reply_text)
            && shown.auto_reply_on == Some(auto_reply_at_start);
        let (auto_reply, auto_reply_on) = if self.given.auto_reply && auto_reply_unchanged {
            (self.saved.auto_reply.clone(), self.saved.auto_reply_on)
        } else {
            (shown.auto_reply, shown.auto_reply_on)
        };
        let name_at_start = chat.settings.name.clone().unwrap_or_default();
        Saved {
            host: keep(self.given.host, &shown.host, &chat.host, &self.saved.host),
            port: keep(self.given.port, &shown.port, &chat.port, &self.saved.port),
            auto_reply,
            auto_reply_on,
            name: keep(
                self.given.name,
                &shown.name,
                &name_at_start,
                &self.saved.name,
            ),
            width: shown.width,
            height: shown.height,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::without_qt_options;
    use clap::Parser;
    use std::ffi::OsString;

    fn parse(args: &[&str]) -> Result<Startup, clap::Error> {
        let args = std::iter::once("tcp-chat")
            .chain(args.iter().copied())
            .map(OsString::from);
        Cli::try_parse_from(without_qt_options(args)).map(Startup::from)
    }

    #[test]
    fn qt_options_are_left_for_qt() {
        let s = parse(&[
            "-platform",
            "offscreen",
            "--port",
            "5000",
            "-style=Fusion",
            "-reverse",
        ])
        .unwrap();
        assert_eq!(s.port, "5000");
    }

    #[test]
    fn connect_with_port_prefills_both_fields() {
        let s = parse(&["--connect", "[::1]:7000"]).unwrap();
        assert_eq!(
            (s.host.as_str(), s.port.as_str(), s.connect),
            ("::1", "7000", true)
        );
        let s = parse(&["--connect", "pi.local", "--port", "8000"]).unwrap();
        assert_eq!((s.host.as_str(), s.port.as_str()), ("pi.local", "8000"));
        let s = parse(&["--connect", "pi:7000", "--port", "8000", "--listen"]).unwrap();
        assert_eq!((s.port.as_str(), s.listen_port.as_str()), ("7000", "8000"));
    }

    #[test]
    fn auto_reply_can_be_changed_or_turned_off() {
        assert_eq!(
            parse(&[]).unwrap().settings.auto_reply.as_deref(),
            Some("Server OK")
        );
        assert_eq!(
            parse(&["--auto-reply", "ack"])
                .unwrap()
                .settings
                .auto_reply
                .as_deref(),
            Some("ack")
        );
        assert_eq!(
            parse(&["--no-auto-reply"]).unwrap().settings.auto_reply,
            None
        );
        assert!(parse(&["--no-auto-reply", "--auto-reply", "x"]).is_err());
    }

    #[test]
    fn bad_values_are_refused_with_a_sentence() {
        let err = parse(&["--port", "70000"]).unwrap_err().to_string();
        assert!(err.contains("70000 is not a port"), "{err}");
        let err = parse(&["--bind", "localhost"]).unwrap_err().to_string();
        assert!(err.contains("is not an IP address"), "{err}");
        assert!(parse(&["--line-ending", "cr"]).is_err());
    }

    #[test]
    fn transcript_sizes_read_as_people_write_them() {
        assert_eq!(parse(&[]).unwrap().transcript_max, 64 << 20);
        for (text, bytes) in [
            ("500K", 500 << 10),
            ("64M", 64 << 20),
            ("64MiB", 64 << 20),
            ("1G", 1 << 30),
            ("4096", 4096),
        ] {
            let s = parse(&["--transcript-max", text]).unwrap();
            assert_eq!(s.transcript_max, bytes, "{text}");
        }
        let err = parse(&["--transcript-max", "lots"])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("is not a size: write it as 500K, 64M or 1G"),
            "{err}"
        );
        assert!(parse(&["--transcript-max", "10"]).is_err());
        assert!(parse(&["--timestamps"]).unwrap().timestamps);
    }

    #[test]
    fn saved_fields_fill_in_what_the_command_line_leaves_unsaid() {
        let saved = Saved {
            host: Some("10.0.0.7".into()),
            port: Some("5000".into()),
            auto_reply: Some("잘 받았습니다".into()),
            auto_reply_on: Some(false),
            name: Some("민지".into()),
            width: Some(800),
            height: Some(480),
        };
        let with = |args: &[&str]| {
            let args = std::iter::once("tcp-chat")
                .chain(args.iter().copied())
                .map(OsString::from);
            WindowStart::with_saved(&Cli::try_parse_from(args).unwrap(), &saved)
        };
        let w = with(&[]);
        assert_eq!((w.width, w.height), (800, 480));
        let s = w.chat;
        assert_eq!((s.host.as_str(), s.port.as_str()), ("10.0.0.7", "5000"));
        assert_eq!(s.listen_port, "5000");
        assert_eq!(s.settings.auto_reply, None, "saved as off");
        assert_eq!(s.auto_reply_text, "잘 받았습니다");
        // The command line wins, field by field.
        let s = with(&["--port", "6000", "--auto-reply", "ok"]).chat;
        assert_eq!((s.host.as_str(), s.port.as_str()), ("10.0.0.7", "6000"));
        assert_eq!(s.settings.auto_reply.as_deref(), Some("ok"));
        let s = with(&["--connect", "pi.local"]).chat;
        assert_eq!(s.settings.name.as_deref(), Some("민지"), "the saved name");
        assert_eq!((s.host.as_str(), s.port.as_str()), ("pi.local", "5000"));
    }

    #[test]
    fn allowed_and_denied_ranges_reach_the_settings_and_a_bad_one_is_one_sentence() {
        let s = parse(&[
            "--allow",
            "192.168.0.0/24",
            "--allow",
            "fd00::1",
            "--deny",
            "192.168.0.66",
        ])
        .unwrap();
        let access = &s.settings.access;
        assert_eq!(
            access.allow,
            vec![
                "192.168.0.0/24".parse().unwrap(),
                "fd00::1/128".parse().unwrap()
            ]
        );
        assert_eq!(access.deny, vec!["192.168.0.66/32".parse().unwrap()]);
        let err = parse(&["--allow", "192.168.0"]).unwrap_err().to_string();
        assert!(
            err.contains("\"192.168.0\" is not an address or range"),
            "{err}"
        );
    }

    #[test]
    fn a_name_is_taken_with_two_dashes_and_checked_and_one_dash_stays_qts() {
        assert_eq!(
            parse(&["--name", " 민지 "])
                .unwrap()
                .settings
                .name
                .as_deref(),
            Some("민지")
        );
        assert_eq!(
            parse(&["--name=Minji"]).unwrap().settings.name.as_deref(),
            Some("Minji")
        );
        // `-name` is Qt's X11 resource name: left for Qt, not announced.
        assert_eq!(parse(&["-name", "Minji"]).unwrap().settings.name, None);
        let said = |args: &[&str]| parse(args).unwrap_err().to_string();
        assert!(said(&["--name", "a.b"]).contains("the name has a dot"));
        assert!(said(&["--name", "  "]).contains("the name is empty"));
        // 22 Korean syllables are 66 bytes: one DNS label holds 63.
        let long = "가".repeat(22);
        assert!(
            said(&["--name", &long]).contains("is 66 bytes long, and a name can have at most 63"),
            "{}",
            said(&["--name", &long])
        );
        assert!(parse(&["--name", &"가".repeat(21)]).is_ok());
        assert!(said(&["--name", "a\u{7}b"]).contains("control character"));
    }

    #[test]
    fn line_ending_and_bind_reach_the_settings() {
        let s = parse(&[
            "--line-ending",
            "crlf",
            "--bind",
            "127.0.0.1",
            "--max-peers",
            "3",
        ])
        .unwrap();
        assert_eq!(s.settings.line_ending, LineEnding::CrLf);
        assert_eq!(s.settings.bind, Some("127.0.0.1".parse().unwrap()));
        assert_eq!(s.settings.max_peers, 3);
    }

    #[test]
    fn what_the_command_line_set_is_for_that_run_only() {
        let before = Saved {
            host: Some("10.0.0.7".into()),
            port: Some("5000".into()),
            auto_reply: Some("saved".into()),
            auto_reply_on: Some(true),
            name: None,
            width: None,
            height: None,
        };
        let cli = Cli::try_parse_from(["tcp-chat", "--port", "6000", "--no-auto-reply"]).unwrap();
        let start = WindowStart::with_saved(&cli, &before);
        let shown = |port: &str| Saved {
            host: Some("10.0.0.9".into()),
            port: Some(port.into()),
            auto_reply: Some("saved".into()),
            auto_reply_on: Some(false),
            name: None,
            width: Some(700),
            height: Some(500),
        };
        // Left as the command line set them: what was saved before stays.
        let kept = start.to_save(shown("6000"));
        assert_eq!(kept.port.as_deref(), Some("5000"));
        assert_eq!(
            (kept.auto_reply.as_deref(), kept.auto_reply_on),
            (Some("saved"), Some(true))
        );
        // Typed in the window (the host here, the port below): saved.
        assert_eq!(kept.host.as_deref(), Some("10.0.0.9"));
        assert_eq!(start.to_save(shown("7000")).port.as_deref(), Some("7000"));
    }
}
