//! The command line: options that prefill or start what the buttons do. Qt's own options
//! (`-platform offscreen`, `-style Fusion`) are left for Qt.

use crate::engine::address::{parse_host, parse_host_port, parse_port, Host};
use crate::engine::chat::{LineEnding, Settings, DEFAULT_AUTO_REPLY};
use crate::engine::listener::DEFAULT_MAX_PEERS;
use crate::engine::transcript::DEFAULT_TRANSCRIPT_MAX;
use crate::settings::Saved;
use clap::builder::TypedValueParser;
use clap::{Parser, ValueEnum};
use std::ffi::OsString;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::OnceLock;

/// How many log lines the window keeps unless told otherwise.
pub const DEFAULT_LOG_LINES: usize = 10_000;

#[derive(Debug, Parser)]
#[command(
    name = "tcp-chat",
    version,
    about = "A small TCP chat window: listen for peers, connect to one, send lines of text.",
    after_help = "Qt's own options, such as -platform offscreen or -style Fusion, are passed to Qt."
)]
pub struct Cli {
    /// Chat in this terminal instead of a window: over SSH, or in a script with pipes
    #[arg(long)]
    pub terminal: bool,

    /// Port for Listen and Connect: 12345, or the window's saved one (0 listens on any
    /// free port)
    #[arg(long, value_name = "PORT", value_parser = port_arg)]
    pub port: Option<u16>,

    /// Listen on this address only (such as 127.0.0.1) instead of every interface
    #[arg(long, value_name = "ADDR", value_parser = bind_arg)]
    pub bind: Option<IpAddr>,

    /// Start listening at once
    #[arg(long)]
    pub listen: bool,

    /// Connect at once to HOST, on PORT or on --port
    #[arg(long, value_name = "HOST[:PORT]", value_parser = connect_arg)]
    pub connect: Option<(Host, Option<u16>)>,

    /// Answer each line the listener receives with TEXT [default: "Server OK"]
    #[arg(long, value_name = "TEXT", conflicts_with = "no_auto_reply")]
    pub auto_reply: Option<String>,

    /// Do not answer lines the listener receives
    #[arg(long)]
    pub no_auto_reply: bool,

    /// What ends each line sent
    #[arg(long, value_enum, default_value_t = LineEndingArg::Lf)]
    pub line_ending: LineEndingArg,

    /// Append every log line, as shown, to FILE
    #[arg(long, value_name = "FILE")]
    pub transcript: Option<PathBuf>,

    /// Move the transcript to FILE.1 when it reaches SIZE (such as 64M, 500K, 1G), and
    /// start FILE again
    #[arg(long, value_name = "SIZE", default_value = "64M", value_parser = size_arg)]
    pub transcript_max: u64,

    /// Room mode: pass each line a peer sends to the listener on to every other peer,
    /// as "(<ip> <port>) <text>" (the window's Relay box)
    #[arg(long)]
    pub relay: bool,

    /// Show the time (HH:MM:SS) in front of each log line (the window's Times box)
    #[arg(long)]
    pub timestamps: bool,

    /// The language of the window: en or ko (default: the system's, from LANGUAGE,
    /// LC_ALL, LC_MESSAGES or LANG)
    #[arg(long, value_enum, value_name = "LANG")]
    pub lang: Option<Lang>,

    /// Start the window with the defaults, and remember nothing when it closes
    /// (otherwise it keeps its address, port, auto-reply and size in
    /// ~/.config/tcp-chat/tcp-chat.conf)
    #[arg(long)]
    pub no_settings: bool,

    /// How many peers may be connected to the listener at once
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_PEERS, value_parser = clap::value_parser!(u16).range(1..).map(usize::from))]
    pub max_peers: usize,

    /// How many lines the window's log keeps (the transcript keeps every line)
    #[arg(long, value_name = "N", default_value_t = DEFAULT_LOG_LINES, value_parser = clap::value_parser!(u32).range(1..).map(|n| n as usize))]
    pub log_lines: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LineEndingArg {
    /// \n
    Lf,
    /// \r\n
    Crlf,
    /// nothing: each message as it is, as the course's scripts send
    None,
}

/// The languages the window speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Lang {
    En,
    Ko,
}

impl Lang {
    /// Makes the language the process's, for Qt to find (call before Qt starts, while
    /// no other thread runs).
    pub fn apply(self) {
        let (language, locale) = match self {
            Lang::En => ("en", "C.UTF-8"),
            Lang::Ko => ("ko", "ko_KR.UTF-8"),
        };
        std::env::set_var("LANGUAGE", language);
        std::env::set_var("LC_MESSAGES", locale);
        std::env::remove_var("LC_ALL");
    }
}

/// What the window starts with: the engine's settings and what to prefill or start.
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
    pub log_lines: usize,
    /// The auto-reply's text, shown in its field even while it is off.
    pub auto_reply_text: String,
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

/// Which remembered fields the command line set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Given {
    pub host: bool,
    pub port: bool,
    pub auto_reply: bool,
}

impl Default for Startup {
    fn default() -> Self {
        Self {
            settings: Settings::default(),
            port: "12345".into(),
            listen_port: "12345".into(),
            host: "127.0.0.1".into(),
            listen: false,
            connect: false,
            transcript: None,
            transcript_max: DEFAULT_TRANSCRIPT_MAX,
            timestamps: false,
            log_lines: DEFAULT_LOG_LINES,
            auto_reply_text: DEFAULT_AUTO_REPLY.into(),
            width: DEFAULT_WIDTH,
            height: DEFAULT_HEIGHT,
            settings_file: None,
            settings_problem: None,
            saved: Saved::default(),
            given: Given::default(),
        }
    }
}

/// The window's size when nothing else is said.
pub const DEFAULT_WIDTH: u32 = 640;
pub const DEFAULT_HEIGHT: u32 = 480;
/// The port when nothing else is said.
pub const DEFAULT_PORT: u16 = 12345;

impl From<Cli> for Startup {
    fn from(cli: Cli) -> Self {
        cli.startup_with(&Saved::default())
    }
}

impl Cli {
    /// What to start with: the command line, and for what it leaves unsaid, what the
    /// window saved last time.
    pub fn startup_with(self, saved: &Saved) -> Startup {
        let auto_reply_text = self
            .auto_reply
            .clone()
            .or_else(|| saved.auto_reply.clone())
            .unwrap_or_else(|| DEFAULT_AUTO_REPLY.to_string());
        let auto_reply_on = if self.no_auto_reply {
            false
        } else {
            self.auto_reply.is_some() || saved.auto_reply_on.unwrap_or(true)
        };
        let line_ending = match self.line_ending {
            LineEndingArg::Lf => LineEnding::Lf,
            LineEndingArg::Crlf => LineEnding::CrLf,
            LineEndingArg::None => LineEnding::None,
        };
        let port = self
            .port
            .map(|p| p.to_string())
            .or_else(|| saved.port.clone())
            .unwrap_or_else(|| DEFAULT_PORT.to_string());
        let (host, field_port) = match &self.connect {
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
                bind: self.bind,
                auto_reply: auto_reply_on.then(|| auto_reply_text.clone()),
                line_ending,
                max_peers: self.max_peers,
                relay: self.relay,
            },
            port: field_port,
            listen_port: port,
            host,
            listen: self.listen,
            connect: self.connect.is_some(),
            transcript: self.transcript,
            transcript_max: self.transcript_max,
            timestamps: self.timestamps,
            log_lines: self.log_lines,
            auto_reply_text,
            width: saved.width.unwrap_or(DEFAULT_WIDTH),
            height: saved.height.unwrap_or(DEFAULT_HEIGHT),
            settings_file: None,
            settings_problem: None,
            saved: saved.clone(),
            given: Given {
                host: self.connect.is_some(),
                port: self.port.is_some() || matches!(self.connect, Some((_, Some(_)))),
                auto_reply: self.auto_reply.is_some() || self.no_auto_reply,
            },
        }
    }
}

static STARTUP: OnceLock<Startup> = OnceLock::new();

/// Hands the parsed command line to the window, which is created later by QML.
pub fn set_startup(startup: Startup) {
    let _ = STARTUP.set(startup);
}

/// What the window starts with: the command line's, or the defaults (in tests).
pub fn startup() -> Startup {
    STARTUP.get().cloned().unwrap_or_default()
}

/// Qt options that take a value, and those that do not (see QGuiApplication's docs).
const QT_OPTIONS_WITH_VALUE: &[&str] = &[
    "platform",
    "platformpluginpath",
    "platformtheme",
    "plugin",
    "qmljsdebugger",
    "style",
    "stylesheet",
    "qwindowgeometry",
    "qwindowtitle",
    "qwindowicon",
    "display",
    "geometry",
    "session",
    "name",
    "title",
    "fn",
    "font",
    "bg",
    "background",
    "fg",
    "foreground",
    "btn",
    "button",
    "visual",
    "im",
    "inputstyle",
];
const QT_FLAGS: &[&str] = &[
    "reverse",
    "nograb",
    "dograb",
    "sync",
    "widgetcount",
    "testability",
];

/// Our own arguments, without Qt's (which Qt takes from the process's arguments itself).
pub fn without_qt_options(args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    let mut out = Vec::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let text = arg.to_string_lossy();
        let name = text
            .strip_prefix("--")
            .or_else(|| text.strip_prefix('-'))
            .unwrap_or("");
        let (name, inline_value) = match name.split_once('=') {
            Some((name, _)) => (name, true),
            None => (name, false),
        };
        if QT_OPTIONS_WITH_VALUE.contains(&name) {
            if !inline_value {
                args.next();
            }
        } else if !QT_FLAGS.contains(&name) {
            out.push(arg);
        }
    }
    out
}

/// Parses the process's arguments; prints help or an error and exits as clap does.
pub fn parse() -> Cli {
    Cli::parse_from(without_qt_options(std::env::args_os()))
}

fn port_arg(text: &str) -> Result<u16, String> {
    parse_port(text, true).map_err(|e| e.to_string())
}

fn bind_arg(text: &str) -> Result<IpAddr, String> {
    match parse_host(text).map_err(|e| e.to_string())? {
        Host::Ip { ip, .. } => Ok(ip),
        Host::Name(_) => Err(format!(
            "\"{text}\" is not an IP address: --bind takes one, such as 127.0.0.1 or ::1"
        )),
    }
}

/// A size in bytes: `65536`, `500K`, `64M`, `1G` (also `64MiB`, `64MB`: all 1024-based);
/// at least 1 KiB.
fn size_arg(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    let digits = trimmed
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(digits);
    let shift = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        _ => {
            return Err(format!(
                "\"{text}\" is not a size: write it as 500K, 64M or 1G"
            ))
        }
    };
    let size = number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(1 << shift))
        .ok_or_else(|| format!("\"{text}\" is not a size: write it as 500K, 64M or 1G"))?;
    if size < 1024 {
        return Err(format!(
            "{text} is too small: a transcript holds at least 1K"
        ));
    }
    Ok(size)
}

fn connect_arg(text: &str) -> Result<(Host, Option<u16>), String> {
    parse_host_port(text).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

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
            width: Some(800),
            height: Some(480),
        };
        let with = |args: &[&str]| {
            let args = std::iter::once("tcp-chat")
                .chain(args.iter().copied())
                .map(OsString::from);
            Cli::try_parse_from(args).unwrap().startup_with(&saved)
        };
        let s = with(&[]);
        assert_eq!((s.host.as_str(), s.port.as_str()), ("10.0.0.7", "5000"));
        assert_eq!(s.listen_port, "5000");
        assert_eq!(s.settings.auto_reply, None, "saved as off");
        assert_eq!(s.auto_reply_text, "잘 받았습니다");
        assert_eq!((s.width, s.height), (800, 480));
        // The command line wins, field by field.
        let s = with(&["--port", "6000", "--auto-reply", "ok"]);
        assert_eq!((s.host.as_str(), s.port.as_str()), ("10.0.0.7", "6000"));
        assert_eq!(s.settings.auto_reply.as_deref(), Some("ok"));
        let s = with(&["--connect", "pi.local"]);
        assert_eq!((s.host.as_str(), s.port.as_str()), ("pi.local", "5000"));
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
}
