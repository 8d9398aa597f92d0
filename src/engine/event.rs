//! What the engine reports, and the one sentence each report shows in the log.

use super::error::Error;
use crate::tr;
use std::fmt;
use std::net::SocketAddr;

/// Where a received line came from, or where a sent one went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// A peer connected to our listener.
    Incoming,
    /// The peer we connected to.
    Outgoing,
}

/// Something that happened, in the order it happened.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The listener is bound and accepting on `addrs`; a peer can reach it at `reachable`
    /// (this machine's addresses that the bound ones cover).
    Listening {
        addrs: Vec<SocketAddr>,
        reachable: Vec<String>,
    },
    /// The listener has stopped; its peers are disconnected.
    ListenStopped,
    /// A peer connected to our listener.
    PeerConnected { peer: SocketAddr },
    /// A peer connected to our listener went away (or was disconnected by Close).
    PeerLeft {
        peer: SocketAddr,
        reason: LeaveReason,
    },
    /// A connection attempt has started.
    Connecting { host: String, port: u16 },
    /// Our outgoing connection is up.
    Connected {
        host: String,
        port: u16,
        peer: SocketAddr,
    },
    /// Our outgoing connection ended (or the attempt was given up).
    Disconnected {
        peer: Option<SocketAddr>,
        reason: LeaveReason,
    },
    /// A line arrived. `show_peer` is set when more than one peer was connected.
    Received {
        side: Side,
        peer: SocketAddr,
        text: String,
        show_peer: bool,
    },
    /// A line a person typed went out to `peers` peers.
    Sent { text: String, peers: usize },
    /// The window's log was saved to a file.
    LogSaved { path: String, lines: usize },
    /// The transcript reached its size limit: it was moved to `moved_to`, and `path`
    /// starts again, empty.
    TranscriptRotated {
        path: String,
        moved_to: String,
        limit: u64,
    },
    /// Something went wrong; the sentence says what and what to do.
    Error(Error),
}

/// Why a connection ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeaveReason {
    /// The peer closed the connection.
    Closed,
    /// The connection broke (reset, network gone).
    Broken,
    /// We closed it (Close, or the window went away).
    ByUs,
    /// The peer stopped reading and what we had to send piled up.
    NotReading,
}

/// What kind of log line an event makes, so the view can tell them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    Info,
    Received,
    Sent,
    Error,
}

impl Event {
    /// The log line for this event, as a person sees it and the transcript keeps it.
    pub fn log_line(&self) -> (LineKind, String) {
        use LineKind::*;
        match self {
            Event::Listening { addrs, reachable } => {
                let port = addrs.first().map_or(0, |a| a.port());
                let (port, addresses) = (port.to_string(), reachable.join(", "));
                let place = if addrs.iter().any(|a| a.ip().is_unspecified()) {
                    tr!("log-listening", port = port, addresses = addresses)
                } else {
                    tr!("log-listening-only", port = port, addresses = addresses)
                };
                (Info, format!("Start Listening ({place})"))
            }
            Event::ListenStopped => (Info, "Stop Listening".into()),
            Event::PeerConnected { peer } => (Info, format!("Connect : {}", ip_port(peer))),
            Event::PeerLeft { peer, reason } => (
                Info,
                format!("Disconnect : {}{}", ip_port(peer), reason.suffix()),
            ),
            Event::Connecting { host, port } => {
                let address = format!("{}:{port}", bracket(host));
                (Info, tr!("log-connecting", address = address))
            }
            Event::Connected { host, port, peer } => {
                let bare = host.split('%').next().unwrap_or(host);
                let address = format!("{}:{port}", bracket(host));
                if bare.parse::<std::net::IpAddr>().is_ok() {
                    (Info, tr!("log-connected", address = address))
                } else {
                    let ip = peer.ip().to_string();
                    (Info, tr!("log-connected-via", address = address, ip = ip))
                }
            }
            Event::Disconnected { peer, reason } => match peer {
                Some(peer) => (
                    Info,
                    format!("Disconnect : {}{}", ip_port(peer), reason.suffix()),
                ),
                None => (Info, tr!("log-connect-cancelled")),
            },
            Event::Received {
                text,
                peer,
                show_peer,
                ..
            } => {
                let text = visible(text);
                if *show_peer {
                    (Received, format!("[rcv] ({}) {text}", ip_port(peer)))
                } else {
                    (Received, format!("[rcv] {text}"))
                }
            }
            Event::Sent { text, .. } => (Sent, format!("[send] {}", visible(text))),
            Event::LogSaved { path, lines } => (Info, tr!("log-saved", lines = lines, path = path)),
            Event::TranscriptRotated {
                path,
                moved_to,
                limit,
            } => (
                Info,
                tr!(
                    "log-transcript-rotated",
                    size = super::clock::size_text(*limit),
                    moved = moved_to,
                    path = path
                ),
            ),
            Event::Error(e) => (Error, format!("Error : {e}")),
        }
    }
}

impl LeaveReason {
    /// What follows `Disconnect : <ip> <port>`: why, when the peer did not simply close.
    fn suffix(self) -> String {
        let why = match self {
            LeaveReason::Closed => return String::new(),
            LeaveReason::Broken => tr!("log-left-broken"),
            LeaveReason::ByUs => tr!("log-left-by-us"),
            LeaveReason::NotReading => tr!("log-left-not-reading"),
        };
        format!(" ({why})")
    }
}

impl fmt::Display for LineKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LineKind::Info => "info",
            LineKind::Received => "rcv",
            LineKind::Sent => "send",
            LineKind::Error => "error",
        })
    }
}

/// `<ip> <port>`, as the original wrote a peer (`Connect : 127.0.0.1 50312`).
pub fn ip_port(addr: &SocketAddr) -> String {
    format!("{} {}", addr.ip().to_canonical(), addr.port())
}

fn bracket(host: &str) -> String {
    if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_string()
    }
}

/// The most characters of one log line the window keeps; the rest is counted, not kept
/// (the transcript keeps every line whole). A 64 KiB line would otherwise cost the view
/// a long layout and the log 128 KiB of memory.
pub const SHOWN_CHARS: usize = 2000;

impl Event {
    /// The event with the text it carries (a line received or sent) cut to `limit`
    /// characters, saying how many were left out.
    pub fn shortened(mut self, limit: usize) -> Self {
        if let Event::Received { text, .. } | Event::Sent { text, .. } = &mut self {
            // Under `limit` bytes is under `limit` characters: most lines stop here.
            if text.len() > limit {
                *text = shortened(std::mem::take(text), limit);
            }
        }
        self
    }

    /// Bytes of the text the event carries (a line received or sent).
    pub fn text_len(&self) -> usize {
        match self {
            Event::Received { text, .. } | Event::Sent { text, .. } => text.len(),
            _ => 0,
        }
    }
}

/// `line` cut to `limit` characters, saying how many were left out.
pub fn shortened(line: String, limit: usize) -> String {
    match line.char_indices().nth(limit) {
        None => line,
        Some((cut, _)) => {
            let left_out = line[cut..].chars().count();
            format!(
                "{} ... {}",
                &line[..cut],
                tr!("log-cut", count = left_out.to_string())
            )
        }
    }
}

/// Text a peer sent, made safe to show: control characters become visible escapes
/// (`\x1b` shows as the four characters `\x1B`, `\0` as `\x00`), readable in any font;
/// tabs stay tabs. Nothing is interpreted.
pub fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_hidden_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if !is_hidden_control(c) {
            shown.push(c);
        } else if (c as u32) < 0x100 {
            shown.push_str(&format!("\\x{:02X}", c as u32));
        } else {
            shown.push_str(&format!("\\u{{{:04X}}}", c as u32));
        }
    }
    std::borrow::Cow::Owned(shown)
}

/// Characters that would act rather than show: C0 and C1 controls, DEL, and the
/// bidirectional overrides that reorder what follows them on screen.
fn is_hidden_control(c: char) -> bool {
    (c.is_control() && c != '\t') || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_received_line_is_shown_cut_and_a_short_one_whole() {
        let received = |text: String| Event::Received {
            side: Side::Incoming,
            peer: "127.0.0.1:5000".parse().unwrap(),
            text,
            show_peer: false,
        };
        let long = received("x".repeat(SHOWN_CHARS + 7)).shortened(SHOWN_CHARS);
        assert_eq!(
            long.log_line().1,
            format!(
                "[rcv] {} ... (7 more characters not shown)",
                "x".repeat(SHOWN_CHARS)
            )
        );
        let short = received("hello".into()).shortened(SHOWN_CHARS);
        assert_eq!(short.log_line().1, "[rcv] hello");
        assert_eq!(short.text_len(), 5);
    }

    #[test]
    fn a_long_line_is_shortened_saying_how_much_was_left_out() {
        let line = "가".repeat(SHOWN_CHARS + 500);
        let shown = shortened(line, SHOWN_CHARS);
        assert!(shown.starts_with(&"가".repeat(SHOWN_CHARS)));
        assert!(
            shown.ends_with(" ... (500 more characters not shown)"),
            "{}",
            &shown[shown.len() - 60..]
        );
        assert_eq!(shortened("short".into(), SHOWN_CHARS), "short");
        assert_eq!(
            shortened("x".repeat(SHOWN_CHARS), SHOWN_CHARS).len(),
            SHOWN_CHARS
        );
    }

    fn peer() -> SocketAddr {
        "127.0.0.1:50312".parse().unwrap()
    }

    #[test]
    fn original_log_words_are_kept() {
        assert_eq!(Event::ListenStopped.log_line().1, "Stop Listening");
        assert_eq!(
            Event::PeerConnected { peer: peer() }.log_line().1,
            "Connect : 127.0.0.1 50312"
        );
        let rcv = Event::Received {
            side: Side::Incoming,
            peer: peer(),
            text: "hi".into(),
            show_peer: false,
        };
        assert_eq!(rcv.log_line(), (LineKind::Received, "[rcv] hi".into()));
        assert_eq!(
            Event::Sent {
                text: "yo".into(),
                peers: 1
            }
            .log_line()
            .1,
            "[send] yo"
        );
        let listening = Event::Listening {
            addrs: vec!["[::]:12345".parse().unwrap()],
            reachable: vec!["192.168.0.5".into(), "127.0.0.1".into()],
        };
        assert_eq!(
            listening.log_line().1,
            "Start Listening (port 12345 on 192.168.0.5, 127.0.0.1)"
        );
        let bound = Event::Listening {
            addrs: vec!["127.0.0.1:5".parse().unwrap()],
            reachable: vec!["127.0.0.1".into()],
        };
        assert_eq!(
            bound.log_line().1,
            "Start Listening (port 5 on 127.0.0.1 only)"
        );
    }

    #[test]
    fn received_line_names_the_peer_when_several_are_connected() {
        let rcv = Event::Received {
            side: Side::Incoming,
            peer: peer(),
            text: "hi".into(),
            show_peer: true,
        };
        assert_eq!(rcv.log_line().1, "[rcv] (127.0.0.1 50312) hi");
    }

    #[test]
    fn control_characters_are_shown_not_interpreted() {
        assert_eq!(visible("\x1b[31mred\x07\0"), r"\x1B[31mred\x07\x00");
        assert_eq!(visible("a\tb"), "a\tb");
        assert_eq!(visible("\u{202E}abc"), r"\u{202E}abc");
        assert!(matches!(
            visible("plain 한국어"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn markup_is_kept_as_characters() {
        let text = "<font color=red size=7>BIG RED</font>";
        assert_eq!(visible(text), text);
    }
}
