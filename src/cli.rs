//! The command line: options that prefill or start what the buttons do. Qt's own options
//! (`-platform offscreen`, `-style Fusion`) are left for Qt.

use crate::engine::address::{parse_host, parse_host_port, parse_port, Host};
use crate::engine::chat::{LineEnding, Settings, DEFAULT_AUTO_REPLY};
use crate::engine::listener::DEFAULT_MAX_PEERS;
use crate::engine::transcript::DEFAULT_TRANSCRIPT_MAX;
use crate::i18n;
use crate::settings::Saved;
use crate::tr;
use clap::{CommandFactory, FromArgMatches, Parser, ValueEnum};
use std::ffi::OsString;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::OnceLock;

/// How many log lines the window keeps unless told otherwise.
pub const DEFAULT_LOG_LINES: usize = 10_000;

// The help texts are the catalog's (src/i18n), in the language of the run.
#[derive(Debug, Parser)]
#[command(
    name = "tcp-chat",
    version,
    about = tr!("help-about"),
    after_help = tr!("help-after")
)]
pub struct Cli {
    /// Chat in this terminal instead of a window.
    #[arg(long, help = tr!("help-terminal"))]
    pub terminal: bool,

    /// Port for Listen and Connect (else the saved one, else 12345).
    #[arg(long, value_name = "PORT", value_parser = port_arg, help = tr!("help-port"))]
    pub port: Option<u16>,

    /// Listen on this address only.
    #[arg(long, value_name = "ADDR", value_parser = bind_arg, help = tr!("help-bind"))]
    pub bind: Option<IpAddr>,

    /// Start listening at once.
    #[arg(long, help = tr!("help-listen"))]
    pub listen: bool,

    /// Connect at once.
    #[arg(long, value_name = "HOST[:PORT]", value_parser = connect_arg, help = tr!("help-connect"))]
    pub connect: Option<(Host, Option<u16>)>,

    /// The auto-reply's text.
    #[arg(
        long,
        value_name = "TEXT",
        conflicts_with = "no_auto_reply",
        help = tr!("help-auto_reply")
    )]
    pub auto_reply: Option<String>,

    /// Auto-reply off.
    #[arg(long, help = tr!("help-no_auto_reply"))]
    pub no_auto_reply: bool,

    /// What ends each line sent.
    #[arg(long, value_enum, default_value_t = LineEndingArg::Lf, help = tr!("help-line_ending"))]
    pub line_ending: LineEndingArg,

    /// Where every log line is appended.
    #[arg(long, value_name = "FILE", help = tr!("help-transcript"))]
    pub transcript: Option<PathBuf>,

    /// The transcript's size before it moves to FILE.1.
    #[arg(
        long,
        value_name = "SIZE",
        default_value = "64M",
        value_parser = size_arg,
        help = tr!("help-transcript_max")
    )]
    pub transcript_max: u64,

    /// Room mode.
    #[arg(long, help = tr!("help-relay"))]
    pub relay: bool,

    /// Times in front of log lines.
    #[arg(long, help = tr!("help-timestamps"))]
    pub timestamps: bool,

    /// The language, instead of the system's.
    #[arg(long, value_enum, value_name = "LANG", help = tr!("help-lang"))]
    pub lang: Option<Lang>,

    /// Start clean and save nothing.
    #[arg(long, help = tr!("help-no_settings"))]
    pub no_settings: bool,

    /// No announcing, no Nearby list, no mDNS lookups.
    #[arg(long, help = tr!("help-no_discovery"))]
    pub no_discovery: bool,

    /// The listener's limit of peers.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_PEERS, value_parser = count_arg::<{ u16::MAX as usize }>, help = tr!("help-max_peers"))]
    pub max_peers: usize,

    /// The window's limit of log lines.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_LOG_LINES, value_parser = count_arg::<{ u32::MAX as usize }>, help = tr!("help-log_lines"))]
    pub log_lines: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LineEndingArg {
    #[value(help = "\\n")]
    Lf,
    #[value(help = "\\r\\n")]
    Crlf,
    #[value(help = tr!("help-line-ending-none"))]
    None,
}

/// The languages tcp-chat speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Lang {
    En,
    Ko,
}

impl Lang {
    /// Makes the language the process's: for our sentences, and for Qt to find (call
    /// before Qt starts, while no other thread runs).
    pub fn apply(self) {
        let (language, locale) = match self {
            Lang::En => ("en", "C.UTF-8"),
            Lang::Ko => ("ko", "ko_KR.UTF-8"),
        };
        std::env::set_var("LANGUAGE", language);
        std::env::set_var("LC_MESSAGES", locale);
        std::env::remove_var("LC_ALL");
        i18n::set_lang(match self {
            Lang::En => i18n::Lang::En,
            Lang::Ko => i18n::Lang::Ko,
        });
    }

    /// `--lang`'s value among `args`, read before they are parsed (`--help` speaks it).
    fn given(args: &[OsString]) -> Option<Lang> {
        let mut args = args.iter().map(|a| a.to_string_lossy());
        while let Some(arg) = args.next() {
            let value = match arg.strip_prefix("--lang") {
                Some("") => args.next().map(|v| v.into_owned()),
                Some(rest) => rest.strip_prefix('=').map(str::to_string),
                None => None,
            };
            if let Some(value) = value {
                return Lang::from_str(&value, true).ok();
            }
        }
        None
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
    /// Announce the listener and find others on the LAN (DNS-SD); off with
    /// `--no-discovery`, and where nothing asked for it (tests that build a Startup).
    pub discovery: bool,
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
            discovery: false,
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
            discovery: !self.no_discovery,
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

/// Parses the process's arguments in the language of `--lang` or the system's (which
/// it makes the process's); prints help or an error and exits as clap does.
pub fn parse() -> Cli {
    let args = without_qt_options(std::env::args_os());
    if let Some(lang) = Lang::given(&args) {
        lang.apply();
    }
    let matches = command()
        .try_get_matches_from(args)
        .unwrap_or_else(|e| exit_with(e));
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| exit_with(e))
}

/// Prints help or the version as clap does, or a mistake on the command line as one
/// sentence in the language of the run, and exits (2 for a mistake).
fn exit_with(error: clap::Error) -> ! {
    use clap::error::{ContextKind, ErrorKind};
    let context = |kind| error.get(kind).map(|v| v.to_string()).unwrap_or_default();
    // `--port <PORT>` is named `--port`.
    let arg = context(ContextKind::InvalidArg);
    let arg = arg.split(' ').next().unwrap_or_default().to_string();
    let value = context(ContextKind::InvalidValue);
    let sentence = match error.kind() {
        // The value parser's own sentence (this file's *_arg functions).
        ErrorKind::ValueValidation => std::error::Error::source(&error).map(|e| e.to_string()),
        ErrorKind::InvalidValue if value.is_empty() => Some(tr!("cli-missing-value", arg = &arg)),
        ErrorKind::InvalidValue => Some(tr!(
            "cli-invalid-value",
            arg = &arg,
            value = value,
            values = context(ContextKind::ValidValue)
        )),
        ErrorKind::UnknownArgument => Some(tr!("cli-unknown-argument", arg = &arg)),
        ErrorKind::ArgumentConflict => Some(tr!(
            "cli-conflict",
            arg = &arg,
            other = context(ContextKind::PriorArg)
                .split(' ')
                .next()
                .unwrap_or_default()
        )),
        _ => None,
    };
    match sentence {
        Some(sentence) => {
            eprintln!("tcp-chat: {arg}: {sentence}");
            std::process::exit(2)
        }
        None => error.exit(),
    }
}

/// The command line's definition, with its words in the current language.
pub fn command() -> clap::Command {
    let command = Cli::command();
    match i18n::lang() {
        i18n::Lang::En => command,
        i18n::Lang::Ko => in_korean(command),
    }
}

/// Clap's own words (headings, defaults, the help and version flags) in Korean; the
/// arguments' help is the catalog's already.
fn in_korean(command: clap::Command) -> clap::Command {
    use clap::{Arg, ArgAction};
    let options = tr!("help-options");
    // Made once a run: clap keeps a heading as a &'static str.
    let options: &'static str = options.trim_end_matches(':').to_string().leak();
    let (default, values) = (tr!("help-default"), tr!("help-values"));
    command
        .help_template(format!(
            "{{about-with-newline}}\n{} {{usage}}\n\n{{all-args}}{{after-help}}",
            tr!("help-usage")
        ))
        .override_usage(format!("tcp-chat [{options}]"))
        .disable_help_flag(true)
        .disable_version_flag(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help(tr!("help-help")),
        )
        .arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help(tr!("help-version")),
        )
        .mut_args(|arg| {
            let mut help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
            let defaults: Vec<String> = arg
                .get_default_values()
                .iter()
                .map(|v| v.to_string_lossy().into_owned())
                .collect();
            if !defaults.is_empty() {
                help.push_str(&format!(" [{default}: {}]", defaults.join(", ")));
            }
            let possible: Vec<String> = if !arg.get_action().takes_values() {
                Vec::new() // a flag: true and false go without saying
            } else {
                arg.get_possible_values()
                    .iter()
                    .filter(|v| !v.is_hide_set())
                    .map(|v| match v.get_help() {
                        Some(what) => format!("{} ({what})", v.get_name()),
                        None => v.get_name().to_string(),
                    })
                    .collect()
            };
            if !possible.is_empty() && !arg.is_hide_possible_values_set() {
                help.push_str(&format!(" [{values}: {}]", possible.join(", ")));
            }
            let arg = arg.help(help).help_heading(options);
            if arg.get_action().takes_values() {
                arg.hide_default_value(true).hide_possible_values(true)
            } else {
                arg
            }
        })
}

fn port_arg(text: &str) -> Result<u16, String> {
    parse_port(text, true).map_err(|e| e.to_string())
}

fn bind_arg(text: &str) -> Result<IpAddr, String> {
    match parse_host(text).map_err(|e| e.to_string())? {
        Host::Ip { ip, .. } => Ok(ip),
        Host::Name(_) => Err(tr!("cli-bind-not-ip", text = text)),
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
        _ => return Err(tr!("cli-not-a-size", text = text)),
    };
    let size = number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(1 << shift))
        .ok_or_else(|| tr!("cli-not-a-size", text = text))?;
    if size < 1024 {
        return Err(tr!("cli-size-too-small", text = text));
    }
    Ok(size)
}

/// A count from 1 to `MAX`.
fn count_arg<const MAX: usize>(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(n) if (1..=MAX).contains(&n) => Ok(n),
        _ => Err(tr!("cli-not-a-count", text = text, max = MAX.to_string())),
    }
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
