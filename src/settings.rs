//! What the window remembers between starts: the address, the port, the auto-reply and
//! its box, and the window's size, in `~/.config/tcp-chat/tcp-chat.conf` (QSettings'
//! place and INI format: a `[General]` section of `key=value` lines). A file that cannot
//! be read, or a field that makes no sense (a port of 99999), is left out field by field
//! and said in one sentence; it never stops the start.

use crate::engine::address::{parse_host, parse_port};
use crate::tr;
use std::path::{Path, PathBuf};

/// The remembered fields; `None` where nothing usable was saved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Saved {
    pub host: Option<String>,
    pub port: Option<String>,
    pub auto_reply: Option<String>,
    pub auto_reply_on: Option<bool>,
    /// The name the listener is announced by (the window's Name field).
    pub name: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// The settings file: `$XDG_CONFIG_HOME/tcp-chat/tcp-chat.conf`, or under `~/.config`.
pub fn path() -> Option<PathBuf> {
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(config.join("tcp-chat").join("tcp-chat.conf"))
}

/// The longest auto-reply kept.
const MAX_TEXT: usize = 1000;
/// The window sizes kept, in pixels.
const SIZES: std::ops::RangeInclusive<u32> = 100..=20_000;

/// Reads `path`: what is usable, and a sentence for what was left out (`None` when all
/// was fine, or there is no file yet).
pub fn load(path: &Path) -> (Saved, Option<String>) {
    let text = match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(_) => {
                return (
                    Saved::default(),
                    Some(tr!("settings-not-text", path = path.display().to_string())),
                )
            }
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (Saved::default(), None),
        Err(e) => {
            return (
                Saved::default(),
                Some(tr!(
                    "settings-unreadable",
                    path = path.display().to_string(),
                    detail = in_words(&e)
                )),
            )
        }
    };
    let mut saved = Saved::default();
    let mut left_out = Vec::new();
    let mut section = String::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') && line.ends_with(']') {
            section = line[1..line.len() - 1].to_string();
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        if section != "General" {
            continue;
        }
        let (key, value) = (key.trim(), unquote(value.trim()));
        let kept = match key {
            "host" => parse_host(&value)
                .ok()
                .map(|_| saved.host = Some(value.clone())),
            "port" => parse_port(&value, true)
                .ok()
                .map(|port| saved.port = Some(port.to_string())),
            "autoReply" => (value.chars().count() <= MAX_TEXT && !value.contains(['\n', '\r']))
                .then(|| saved.auto_reply = Some(value.clone())),
            "name" => crate::engine::chat::check_name(&value)
                .ok()
                .map(|name| saved.name = Some(name)),
            "autoReplyOn" => value
                .parse::<bool>()
                .ok()
                .map(|on| saved.auto_reply_on = Some(on)),
            "width" => value
                .parse()
                .ok()
                .filter(|w| SIZES.contains(w))
                .map(|w| saved.width = Some(w)),
            "height" => value
                .parse()
                .ok()
                .filter(|h| SIZES.contains(h))
                .map(|h| saved.height = Some(h)),
            _ => Some(()), // someone else's key: not ours to judge
        };
        if kept.is_none() {
            left_out.push(format!("{key} \"{}\"", shortened(&value)));
        }
    }
    let problem = (!left_out.is_empty()).then(|| {
        tr!(
            "settings-left-out",
            path = path.display().to_string(),
            fields = left_out.join(", ")
        )
    });
    (saved, problem)
}

/// Writes `saved` to `path` (making its folder), replacing the file at once: a reader
/// never sees half of it.
pub fn save(path: &Path, saved: &Saved) -> std::io::Result<()> {
    let mut text = String::from("[General]\n");
    let mut put = |key: &str, value: Option<String>| {
        if let Some(value) = value {
            text.push_str(&format!("{key}={}\n", quote(&value)));
        }
    };
    put("host", saved.host.clone());
    put("port", saved.port.clone());
    put("autoReply", saved.auto_reply.clone());
    put("autoReplyOn", saved.auto_reply_on.map(|on| on.to_string()));
    put("name", saved.name.clone());
    put("width", saved.width.map(|w| w.to_string()));
    put("height", saved.height.map(|h| h.to_string()));
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut part = path.as_os_str().to_owned();
    part.push(".part");
    std::fs::write(&part, text)?;
    std::fs::rename(&part, path)
}

/// Writes `saved` to `path`, or says on stderr in one sentence why it could not (the
/// window is gone by then).
pub fn save_or_say(path: &Path, saved: &Saved) {
    if let Err(e) = save(path, saved) {
        let detail = in_words(&e);
        let path = path.display().to_string();
        eprintln!(
            "{}",
            tr!("settings-not-saved", path = path, detail = detail)
        );
    }
}

/// An I/O error in the run's language.
fn in_words(error: &std::io::Error) -> String {
    crate::i18n::Speech::window().io(&crate::engine::error::IoCause::of(error))
}

/// QSettings quotes a value with spaces at either end, or with `;`, `,`, `=` or `"`.
fn quote(value: &str) -> String {
    let needs = value.starts_with(' ')
        || value.ends_with(' ')
        || value.contains([';', ',', '=', '"', '\\']);
    if needs {
        format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        value.to_string()
    }
}

fn unquote(value: &str) -> String {
    match value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        Some(inner) => {
            let mut out = String::new();
            let mut chars = inner.chars();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    out.extend(chars.next());
                } else {
                    out.push(c);
                }
            }
            out
        }
        None => value.to_string(),
    }
}

fn shortened(value: &str) -> String {
    if value.chars().count() > 40 {
        format!("{}...", value.chars().take(40).collect::<String>())
    } else {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("tcp-chat-settings-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir.join("tcp-chat").join("tcp-chat.conf")
    }

    #[test]
    fn what_is_saved_is_read_back() {
        let path = scratch("round-trip");
        let saved = Saved {
            host: Some("raspberrypi.local".into()),
            port: Some("5000".into()),
            auto_reply: Some(" 잘 받았습니다, \"고맙습니다\" ".into()),
            auto_reply_on: Some(false),
            name: Some("민지 Minji".into()),
            width: Some(800),
            height: Some(480),
        };
        save(&path, &saved).unwrap();
        assert_eq!(load(&path), (saved, None));
    }

    #[test]
    fn no_file_yet_is_no_problem() {
        assert_eq!(load(&scratch("none")), (Saved::default(), None));
    }

    #[test]
    fn nonsense_is_left_out_field_by_field_in_one_sentence() {
        let path = scratch("nonsense");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(
            &path,
            "[General]\nhost=10.0.0.7\nport=99999\nautoReplyOn=maybe\nwidth=abc\nheight=600\ncolour=blue\n[Other]\nport=1\n",
        )
        .unwrap();
        let (saved, problem) = load(&path);
        assert_eq!(
            saved,
            Saved {
                host: Some("10.0.0.7".into()),
                height: Some(600),
                ..Saved::default()
            }
        );
        assert_eq!(
            problem.unwrap(),
            format!(
                "some saved settings in {} make no sense and were left out: port \"99999\", autoReplyOn \"maybe\", width \"abc\"",
                path.display()
            )
        );
    }

    #[test]
    fn a_file_that_is_not_text_gives_the_defaults_and_says_so() {
        let path = scratch("binary");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, [0xff, 0xfe, 0x00, 0x80]).unwrap();
        let (saved, problem) = load(&path);
        assert_eq!(saved, Saved::default());
        assert!(problem
            .unwrap()
            .ends_with("are not text, so the defaults are used"));
    }
}
