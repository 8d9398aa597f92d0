//! The command line: clap's definition of the options, parsed in the language of the run,
//! and a mistake said in one sentence. What the options mean for a start is
//! [`crate::startup`]'s.
//!
//! - `values`: the options' values (a port, an address, a size, a count).
//! - `qt`: Qt's own options (`-platform offscreen`, `-style Fusion`), left for Qt.
//! - `korean`: clap's own words in Korean for `--help`.

mod korean;
mod qt;
mod values;

pub use qt::without_qt_options;

use crate::engine::address::Host;
use crate::engine::listener::{DEFAULT_MAX_PEERS, DEFAULT_MAX_PER_HOST};
use crate::i18n;
use crate::tr;
use clap::{CommandFactory, FromArgMatches, Parser, ValueEnum};
use std::ffi::OsString;
use std::net::IpAddr;
use std::path::PathBuf;
use values::{bind_arg, connect_arg, count_arg, name_arg, port_arg, range_arg, size_arg};

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
    #[arg(long, help = tr!("help-wire"))]
    pub wire: bool,

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

    /// Take peers only from these addresses or ranges.
    #[arg(long, value_name = "CIDR", value_parser = range_arg, help = tr!("help-allow"))]
    pub allow: Vec<ipnet::IpNet>,

    /// Turn away peers from these addresses or ranges.
    #[arg(long, value_name = "CIDR", value_parser = range_arg, help = tr!("help-deny"))]
    pub deny: Vec<ipnet::IpNet>,

    /// The name the listener is announced by on the LAN.
    #[arg(long, value_name = "NAME", value_parser = name_arg, help = tr!("help-name"))]
    pub name: Option<String>,

    /// How many of the listener's places one address may hold.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_PER_HOST, value_parser = count_arg::<{ u16::MAX as usize }>, help = tr!("help-max_per_host"))]
    pub max_per_host: usize,

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
        i18n::Lang::Ko => korean::in_korean(command),
    }
}
