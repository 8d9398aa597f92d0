//! What the engine reports, in order: data for code to match on. Its words (each
//! report's log line) are a front end's, made by `i18n::say` with the front end's Speech.

use super::error::Error;
use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;

/// The text of a line received or sent: a piece of a block of text that the lines read
/// together share. A flood's lines then cost one allocation a read instead of one a line,
/// and the thread that drops them (the Qt thread) one free a read: per-line allocations
/// made on a reader and freed on the Qt thread were a quarter of either's time in a
/// profile. Reads as a `str`.
#[derive(Clone)]
pub struct Text {
    block: Arc<str>,
    start: usize,
    end: usize,
}

impl Text {
    /// `block[start..end]`, sharing `block`. Both ends must be character boundaries.
    pub fn piece(block: &Arc<str>, start: usize, end: usize) -> Self {
        debug_assert!(block.is_char_boundary(start) && block.is_char_boundary(end));
        Self {
            block: block.clone(),
            start,
            end,
        }
    }

    /// The first `at` bytes (a character boundary) as text of their own: what is kept
    /// costs what it holds, not the block it was read into.
    pub fn truncated(&self, at: usize) -> Self {
        Self::from(&self[..at])
    }

    /// Bytes of the block this text keeps alive, its own and its neighbours'.
    pub fn block_len(&self) -> usize {
        self.block.len()
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        &self.block[self.start..self.end]
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Self {
        let block: Arc<str> = Arc::from(text);
        let end = block.len();
        Self {
            block,
            start: 0,
            end,
        }
    }
}

impl From<String> for Text {
    fn from(text: String) -> Self {
        Self::from(text.as_str())
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for Text {}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        &**self == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        &**self == *other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        **self == **other
    }
}

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
    /// A line arrived. `show_peer` is set when more than one peer was connected; `cut`
    /// says how many characters were cut off its end for showing (0: none).
    Received {
        side: Side,
        peer: SocketAddr,
        text: Text,
        show_peer: bool,
        cut: usize,
    },
    /// A line a person typed went out to `peers` peers (`cut` as for Received).
    Sent {
        text: Text,
        peers: usize,
        cut: usize,
    },
    /// The window's log was saved to a file.
    LogSaved { path: String, lines: usize },
    /// The transcript reached its size limit: it was moved to `moved_to`, and `path`
    /// starts again, empty.
    TranscriptRotated {
        path: String,
        moved_to: String,
        limit: u64,
    },
    /// Something went wrong.
    Error(Error),
    /// An address came, left or was refused more often in `seconds` than the log shows
    /// one by one: how many times each (`engine::coalesce`).
    Coalesced {
        address: std::net::IpAddr,
        connects: u64,
        leaves: u64,
        refused: u64,
        seconds: u64,
    },
    /// The wire view (`--wire`): one read from a socket (`In`, reported before the lines
    /// it completed), or one write the kernel took (`Out`): its first bytes
    /// ([`WIRE_SHOWN`] at most) and how many there were.
    Wire {
        dir: WireDir,
        peer: SocketAddr,
        head: Box<[u8]>,
        len: usize,
    },
    /// The peer finished sending (its FIN came: `nc -N`, `shutdown(SHUT_WR)`) while what
    /// we owed it (its auto-reply) was still going out: that is sent, then it closes.
    PeerFinished { peer: SocketAddr },
    /// The teacher changed who may come in: a range blocked (with how many peers in it
    /// were disconnected), unblocked, or the listener locked or unlocked.
    Door(DoorChange),
    /// A line a front end put in words itself (a saved setting that made no sense), for
    /// its log and transcript like the engine's own.
    Note { kind: LineKind, text: String },
}

/// Which way bytes went in a [`Event::Wire`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WireDir {
    /// Read from the peer.
    In,
    /// Written to the peer (taken by the kernel).
    Out,
}

/// How many bytes of a read or write the wire view shows.
pub const WIRE_SHOWN: usize = 64;

impl Event {
    /// The wire view's report of `bytes` going `dir` to or from `peer`.
    pub fn wire(dir: WireDir, peer: SocketAddr, bytes: &[u8]) -> Self {
        Event::Wire {
            dir,
            peer,
            head: bytes[..bytes.len().min(WIRE_SHOWN)].into(),
            len: bytes.len(),
        }
    }
}

/// See [`Event::Door`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DoorChange {
    Blocked {
        range: ipnet::IpNet,
        disconnected: usize,
    },
    Unblocked {
        range: ipnet::IpNet,
    },
    Locked(bool),
}

/// A front end's words for an event's log line (its `Speech::log_line`), for the
/// transcript, which is written from the engine's threads: appended to the string given,
/// which the transcript's writer makes each line in (one buffer, not one string a line).
pub type LineWords = std::sync::Arc<dyn Fn(&Event, &mut String) + Send + Sync>;

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
    /// The peer reset the connection (RST): it ended without a FIN.
    ResetByPeer,
    /// We reset it (Reset, `/reset`): RST, no FIN.
    ResetByUs,
}

/// What kind of log line an event makes, so the view can tell them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    Info,
    Received,
    Sent,
    Error,
    /// The wire view's bytes.
    Wire,
}

impl fmt::Display for LineKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LineKind::Info => "info",
            LineKind::Received => "rcv",
            LineKind::Sent => "send",
            LineKind::Error => "error",
            LineKind::Wire => "wire",
        })
    }
}

/// `<ip> <port>`, as the original wrote a peer (`Connect : 127.0.0.1 50312`).
pub fn ip_port(addr: &SocketAddr) -> String {
    format!("{} {}", addr.ip().to_canonical(), addr.port())
}

/// A host as written before `:port`: an IPv6 address in brackets.
pub fn bracket(host: &str) -> String {
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
    /// characters, counting in `cut` how many were left out.
    pub fn shortened(mut self, limit: usize) -> Self {
        if let Event::Received { text, cut, .. } | Event::Sent { text, cut, .. } = &mut self {
            // Under `limit` bytes is under `limit` characters: most lines stop here.
            if text.len() > limit {
                if let Some((at, _)) = text.char_indices().nth(limit) {
                    *cut += text[at..].chars().count();
                    // What is kept costs what it holds, not the 64 KiB it was read into.
                    *text = text.truncated(at);
                }
            }
        }
        self
    }

    /// What [`Event::text_len`] is once [shortened](Event::shortened) to `limit`.
    pub fn shortened_len(&self, limit: usize) -> usize {
        match self {
            Event::Received { text, .. } | Event::Sent { text, .. } if text.len() > limit => text
                .char_indices()
                .nth(limit)
                .map_or(text.len(), |(at, _)| at),
            _ => self.text_len(),
        }
    }

    /// Bytes of the text the event carries (a line received or sent).
    pub fn text_len(&self) -> usize {
        match self {
            Event::Received { text, .. } | Event::Sent { text, .. } => text.len(),
            // Shown as three characters a byte.
            Event::Wire { head, .. } => head.len() * 3,
            _ => 0,
        }
    }
}

/// Text a peer sent, made safe to show: control characters become visible escapes
/// (`\x1b` shows as the four characters `\x1B`, `\0` as `\x00`), readable in any font;
/// tabs stay tabs. Nothing is interpreted.
pub fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    // Printable ASCII (most lines) is checked a byte at a time, which the compiler runs
    // many bytes at once; a flood's profile had the walk by characters as a quarter of the
    // time spent on each line for the transcript.
    let printable = |ok: bool, b: &u8| ok & ((b' '..=b'~').contains(b) | (*b == b'\t'));
    let all_printable = || {
        // Folded without stopping early (so that it is run many bytes at once), a piece
        // at a time (so that a long line with a control early on stops soon).
        text.as_bytes()
            .chunks(64)
            .all(|piece| piece.iter().fold(true, printable))
    };
    if all_printable() || !text.chars().any(is_hidden_control) {
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
    fn a_long_line_is_cut_at_a_character_counting_what_was_left_out() {
        let received = |text: String| Event::Received {
            side: Side::Incoming,
            peer: "127.0.0.1:5000".parse().unwrap(),
            text: text.into(),
            show_peer: false,
            cut: 0,
        };
        let long = received("가".repeat(SHOWN_CHARS + 500)).shortened(SHOWN_CHARS);
        let Event::Received { text, cut, .. } = &long else {
            unreachable!()
        };
        assert_eq!((text.chars().count(), *cut), (SHOWN_CHARS, 500));
        assert_eq!(
            text.block_len(),
            SHOWN_CHARS * "가".len(),
            "memory given back"
        );
        assert_eq!(long.text_len(), SHOWN_CHARS * "가".len());
        let again = received("가".repeat(SHOWN_CHARS + 500));
        assert_eq!(again.shortened_len(SHOWN_CHARS), long.text_len());
        let exact = received("x".repeat(SHOWN_CHARS)).shortened(SHOWN_CHARS);
        assert!(matches!(exact, Event::Received { cut: 0, .. }));
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
