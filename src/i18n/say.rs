//! The engine's reports in words: each event's log line and each error's sentence (with
//! what to do about it), as a front end's [`Speech`] says them. The engine reports
//! only what happened; the words, the language and the controls named (a button in the
//! window, a command in the terminal) are chosen here, by whoever holds the Speech.

use super::Speech;
use crate::engine::address::AddressError;
use crate::engine::chat::NameError;
use crate::engine::error::{Error, IoCause};
use crate::engine::event::{
    bracket, ip_port, visible, DoorChange, Event, LeaveReason, LineKind, WireDir,
};
use crate::say;
use std::io::ErrorKind;

/// A range as a person typed it: one address alone without its `/32`.
pub fn range_text(range: &ipnet::IpNet) -> String {
    if range.prefix_len() == range.max_prefix_len() {
        range.addr().to_string()
    } else {
        range.to_string()
    }
}

impl Speech {
    /// The log line for `event`, as a person sees it and the transcript keeps it.
    pub fn log_line(self, event: &Event) -> (LineKind, String) {
        use LineKind::*;
        match event {
            Event::Listening { addrs, reachable } => {
                let port = addrs.first().map_or(0, |a| a.port());
                let (port, addresses) = (port.to_string(), reachable.join(", "));
                let place = if addrs.iter().any(|a| a.ip().is_unspecified()) {
                    say!(self, "log-listening", port = port, addresses = addresses)
                } else {
                    say!(
                        self,
                        "log-listening-only",
                        port = port,
                        addresses = addresses
                    )
                };
                (Info, format!("Start Listening ({place})"))
            }
            Event::ListenStopped => (Info, "Stop Listening".into()),
            Event::PeerConnected { peer } => (Info, format!("Connect : {}", ip_port(peer))),
            Event::PeerLeft { peer, reason } => (
                Info,
                format!("Disconnect : {}{}", ip_port(peer), self.why(*reason)),
            ),
            Event::Connecting { host, port } => {
                let address = format!("{}:{port}", bracket(host));
                (Info, say!(self, "log-connecting", address = address))
            }
            Event::Connected { host, port, peer } => {
                let bare = host.split('%').next().unwrap_or(host);
                let address = format!("{}:{port}", bracket(host));
                if bare.parse::<std::net::IpAddr>().is_ok() {
                    (Info, say!(self, "log-connected", address = address))
                } else {
                    let ip = peer.ip().to_string();
                    (
                        Info,
                        say!(self, "log-connected-via", address = address, ip = ip),
                    )
                }
            }
            Event::Disconnected { peer, reason } => match peer {
                Some(peer) => (
                    Info,
                    format!("Disconnect : {}{}", ip_port(peer), self.why(*reason)),
                ),
                None => (Info, say!(self, "log-connect-cancelled")),
            },
            Event::Received {
                text,
                peer,
                show_peer,
                cut,
                ..
            } => (
                Received,
                self.text_line("[rcv] ", show_peer.then_some(peer), text, *cut),
            ),
            Event::Sent { text, cut, .. } => (Sent, self.text_line("[send] ", None, text, *cut)),
            Event::LogSaved { path, lines } => {
                (Info, say!(self, "log-saved", lines = lines, path = path))
            }
            Event::TranscriptRotated {
                path,
                moved_to,
                limit,
            } => (
                Info,
                say!(
                    self,
                    "log-transcript-rotated",
                    size = self.size(*limit),
                    moved = moved_to,
                    path = path
                ),
            ),
            Event::Error(e) => (Error, format!("Error : {}", self.error(e))),
            Event::Coalesced {
                address,
                connects,
                leaves,
                refused,
                seconds,
            } => (
                Info,
                say!(
                    self,
                    "log-coalesced",
                    address = address.to_string(),
                    connects = connects,
                    leaves = leaves,
                    refused = refused,
                    seconds = seconds
                ),
            ),
            Event::Door(change) => (Info, self.door(change)),
            Event::PeerFinished { peer } => {
                (Info, say!(self, "log-peer-finished", peer = ip_port(peer)))
            }
            Event::Wire {
                dir,
                peer,
                head,
                len,
            } => (Wire, self.wire(*dir, peer, head, *len)),
            Event::Note { kind, text } => match kind {
                Error => (Error, format!("Error : {text}")),
                kind => (*kind, text.clone()),
            },
        }
    }

    /// `[wire] <- <ip> <port> <N> bytes: <hex>`, `(M more)` after the first 64 bytes.
    fn wire(self, dir: WireDir, peer: &std::net::SocketAddr, head: &[u8], len: usize) -> String {
        let arrow = match dir {
            WireDir::In => "<-",
            WireDir::Out => "->",
        };
        let mut hex = String::with_capacity(head.len() * 3);
        for (i, byte) in head.iter().enumerate() {
            if i > 0 {
                hex.push(' ');
            }
            hex.push_str(&format!("{byte:02x}"));
        }
        let count = say!(self, "wire-bytes", count = len);
        let mut line = format!("[wire] {arrow} {} {count} {hex}", ip_port(peer));
        if len > head.len() {
            line.push(' ');
            line.push_str(&say!(self, "wire-more", count = len - head.len()));
        }
        line
    }

    /// The log line of a change of who may come in.
    fn door(self, change: &DoorChange) -> String {
        match change {
            DoorChange::Blocked {
                range,
                disconnected,
            } => say!(
                self,
                "log-blocked",
                range = range_text(range),
                count = disconnected
            ),
            DoorChange::Unblocked { range } => {
                say!(self, "log-unblocked", range = range_text(range))
            }
            DoorChange::Locked(true) => say!(self, "log-locked"),
            DoorChange::Locked(false) => say!(self, "log-unlocked"),
        }
    }

    /// What follows `Disconnect : <ip> <port>`: why, when the peer did not simply close.
    fn why(self, reason: LeaveReason) -> String {
        let why = match reason {
            LeaveReason::Closed => return String::new(),
            LeaveReason::Broken => say!(self, "log-left-broken"),
            LeaveReason::ByUs => say!(self, "log-left-by-us"),
            LeaveReason::NotReading => say!(self, "log-left-not-reading"),
            LeaveReason::ResetByPeer => say!(self, "log-left-reset-by-peer"),
            LeaveReason::ResetByUs => say!(self, "log-left-reset-by-us"),
        };
        format!(" ({why})")
    }

    /// `[rcv] (ip port) text ... (N more characters not shown)`: a line received or sent,
    /// made safe to show, as a string of its own (the log's; the transcript's writer uses
    /// [`Speech::write_log_line`]).
    fn text_line(
        self,
        kind: &str,
        peer: Option<&std::net::SocketAddr>,
        text: &str,
        cut: usize,
    ) -> String {
        let mut line = String::with_capacity(kind.len() + text.len() + 32);
        self.push_text_line(&mut line, kind, peer, text, cut);
        line
    }

    /// [`Speech::log_line`]'s words for `event`, appended to `line`: for the transcript,
    /// whose writer makes every line in one buffer (a flood's lines are written without
    /// a string each).
    pub fn write_log_line(self, event: &Event, line: &mut String) {
        match event {
            Event::Received {
                text,
                peer,
                show_peer,
                cut,
                ..
            } => self.push_text_line(line, "[rcv] ", show_peer.then_some(peer), text, *cut),
            Event::Sent { text, cut, .. } => self.push_text_line(line, "[send] ", None, text, *cut),
            other => line.push_str(&self.log_line(other).1),
        }
    }

    /// A line of text a peer sent or we sent, as the log shows it, appended to `line`.
    fn push_text_line(
        self,
        line: &mut String,
        kind: &str,
        peer: Option<&std::net::SocketAddr>,
        text: &str,
        cut: usize,
    ) {
        let shown = visible(text);
        line.push_str(kind);
        if let Some(peer) = peer {
            line.push('(');
            line.push_str(&ip_port(peer));
            line.push_str(") ");
        }
        line.push_str(&shown);
        if cut > 0 {
            line.push_str(" ... ");
            line.push_str(&say!(self, "log-cut", count = cut.to_string()));
        }
    }

    /// The sentence for `error`, with what to do about it.
    pub fn error(self, error: &Error) -> String {
        match error {
            Error::Address(e) => self.address_error(e),
            Error::PortInUse { port } => say!(self, "error-port-in-use", port = port.to_string()),
            Error::PortNeedsRights { port } => {
                say!(self, "error-port-needs-rights", port = port.to_string())
            }
            Error::ListenFailed { addr, detail } => say!(
                self,
                "error-listen-failed",
                addr = addr.to_string(),
                detail = self.io(detail)
            ),
            Error::AlreadyListening => say!(self, "error-already-listening"),
            Error::AlreadyConnected => say!(self, "error-already-connected"),
            Error::Refused { host, port } => {
                say!(self, "error-refused", host = host, port = port.to_string())
            }
            Error::TimedOut { host } => say!(self, "error-timed-out", host = host),
            Error::LookupTimedOut { host } => say!(self, "error-lookup-timed-out", host = host),
            Error::Unreachable { host } => say!(self, "error-unreachable", host = host),
            Error::ConnectFailed { host, port, detail } => say!(
                self,
                "error-connect-failed",
                host = host,
                port = port.to_string(),
                detail = self.io(detail)
            ),
            Error::NotConnected => say!(self, "error-not-connected"),
            Error::EmptyMessage => say!(self, "error-empty-message"),
            Error::NotHex { part } => say!(self, "error-not-hex", part = part),
            Error::SendDropped { peer } => say!(self, "error-send-dropped", peer = peer),
            Error::ListenerFull { peer, limit } => say!(
                self,
                "error-listener-full",
                peer = peer,
                limit = limit.to_string()
            ),
            Error::NotAllowed { peer } => say!(self, "error-not-allowed", peer = peer),
            Error::Blocked { peer } => say!(self, "error-blocked", peer = peer),
            Error::Locked { peer } => say!(self, "error-locked", peer = peer),
            Error::NoSuchPeer { number } => say!(self, "error-no-such-peer", number = number),
            Error::NotARange { text } => say!(self, "error-not-a-range", text = text),
            Error::NotBlocked { range } => say!(self, "error-not-blocked", range = range),
            Error::HostFull { peer, limit } => say!(
                self,
                "error-host-full",
                peer = peer,
                limit = limit.to_string()
            ),
            Error::AcceptFailed { detail } => {
                say!(self, "error-accept-failed", detail = self.io(detail))
            }
            Error::SaveLog { path, detail } => {
                say!(
                    self,
                    "error-save-log",
                    path = path,
                    detail = self.io(detail)
                )
            }
            Error::Transcript { path, detail } => {
                say!(
                    self,
                    "error-transcript",
                    path = path,
                    detail = self.io(detail)
                )
            }
            Error::TranscriptFailed { path, detail } => say!(
                self,
                "error-transcript-failed",
                path = path,
                detail = self.io(detail)
            ),
            Error::NoThread { peer, detail } => {
                let detail = if detail.kind == ErrorKind::WouldBlock {
                    say!(self, "error-no-more-threads")
                } else {
                    say!(self, "error-thread-failed", detail = self.io(detail))
                };
                say!(self, "error-no-thread", peer = peer, detail = detail)
            }
            Error::Discovery { detail } => say!(self, "error-discovery", detail = detail),
        }
    }

    /// The sentence for an address or port that cannot be used.
    pub fn address_error(self, error: &AddressError) -> String {
        match error {
            AddressError::EmptyPort => say!(self, "address-empty-port"),
            AddressError::NotAPort(text) => say!(self, "address-not-a-port", text = text),
            AddressError::PortOutOfRange(text) => {
                say!(self, "address-port-out-of-range", text = text)
            }
            AddressError::EmptyHost => say!(self, "address-empty-host"),
            AddressError::NotAnAddress(text) => {
                say!(self, "address-not-an-address", text = text)
            }
            AddressError::UnknownInterface(name) => {
                say!(self, "address-unknown-interface", name = name)
            }
            AddressError::LinkLocalNeedsScope(ip) => {
                say!(self, "address-link-local", ip = ip.to_string())
            }
            AddressError::NotResolved(name) => say!(self, "address-not-resolved", name = name),
            AddressError::NotLocal(text) => say!(self, "address-not-local", text = text),
        }
    }

    /// Why a name cannot be announced.
    pub fn name_error(self, error: &NameError) -> String {
        match error {
            NameError::Empty => say!(self, "name-empty"),
            NameError::TooLong { bytes } => say!(
                self,
                "name-too-long",
                bytes = bytes,
                max = crate::engine::chat::NAME_MAX_BYTES
            ),
            NameError::Dot => say!(self, "name-dot"),
            NameError::Control => say!(self, "name-control"),
        }
    }

    /// What an I/O call said, in words: the catalog's for the common kinds, the
    /// system's own (without Rust's "(os error N)" tail) for the rarer ones.
    pub fn io(self, cause: &IoCause) -> String {
        use ErrorKind::*;
        match cause.kind {
            NotFound => say!(self, "io-not-found"),
            PermissionDenied => say!(self, "io-permission-denied"),
            StorageFull => say!(self, "io-storage-full"),
            ReadOnlyFilesystem => say!(self, "io-read-only"),
            IsADirectory => say!(self, "io-is-a-folder"),
            NetworkDown => say!(self, "io-network-down"),
            ConnectionReset => say!(self, "io-connection-reset"),
            _ => cause.system.clone(),
        }
    }

    /// A connection as TCP has it, in words: its state, rtt, retransmissions, bytes and
    /// how many reads and writes carried them, and since when.
    pub fn tcp_details(self, tcp: &crate::engine::connection::TcpDetails) -> String {
        say!(
            self,
            "peer-tcp",
            state = tcp.state,
            // As `rtt 0.1 ms`; loopback is well under that: two places there.
            rtt = if tcp.rtt_us < 100 {
                format!("{:.2}", f64::from(tcp.rtt_us) / 1000.0)
            } else {
                format!("{:.1}", f64::from(tcp.rtt_us) / 1000.0)
            },
            retransmitted = tcp.retransmitted,
            sent = self.size(tcp.bytes_sent),
            writes = tcp.writes,
            received = self.size(tcp.bytes_received),
            reads = tcp.reads,
            since = crate::engine::clock::log_time(tcp.since)
        )
    }

    /// How many bytes, as a person reads them: `64 MiB`, `512 KiB`, `1000 bytes`.
    pub fn size(self, bytes: u64) -> String {
        const UNITS: [(u64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
        for (unit, name) in UNITS {
            if bytes >= unit && bytes.is_multiple_of(unit) {
                return format!("{} {name}", bytes / unit);
            }
        }
        for (unit, name) in UNITS {
            if bytes >= unit {
                return format!("{:.1} {name}", bytes as f64 / unit as f64);
            }
        }
        say!(self, "size-bytes", count = bytes.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wire_view_shows_bytes_in_hex_with_its_words_in_both_languages() {
        use crate::i18n::{FrontEnd, Lang};
        let peer: std::net::SocketAddr = "127.0.0.1:50312".parse().unwrap();
        let en = Speech {
            lang: Lang::En,
            ui: FrontEnd::Terminal,
        };
        let ko = Speech {
            lang: Lang::Ko,
            ..en
        };
        let line = |speech: Speech, event: Event| speech.log_line(&event);
        assert_eq!(
            line(en, Event::wire(WireDir::In, peer, b"hel")),
            (
                LineKind::Wire,
                "[wire] <- 127.0.0.1 50312 3 bytes: 68 65 6c".to_string()
            )
        );
        assert_eq!(
            line(en, Event::wire(WireDir::Out, peer, b"\n")).1,
            "[wire] -> 127.0.0.1 50312 1 byte: 0a"
        );
        let long = line(en, Event::wire(WireDir::In, peer, &[0x41; 100])).1;
        assert!(long.ends_with(" 41 41 (36 more)"), "{long}");
        assert_eq!(long.matches("41").count(), 64);
        assert_eq!(
            line(ko, Event::wire(WireDir::In, peer, &[0xea, 0xb0])).1,
            "[wire] <- 127.0.0.1 50312 2바이트: ea b0"
        );
        assert!(line(ko, Event::wire(WireDir::In, peer, &[0; 70]))
            .1
            .ends_with("(나머지 6바이트)"));
    }
    use crate::engine::event::{Side, SHOWN_CHARS};
    use crate::i18n::{FrontEnd, Lang};
    use std::net::SocketAddr;

    const EN: Speech = Speech {
        lang: Lang::En,
        ui: FrontEnd::Window,
    };

    fn peer() -> SocketAddr {
        "127.0.0.1:50312".parse().unwrap()
    }

    fn received(text: String) -> Event {
        Event::Received {
            side: Side::Incoming,
            peer: peer(),
            text: text.into(),
            show_peer: false,
            cut: 0,
        }
    }

    #[test]
    fn a_long_received_line_is_shown_cut_saying_how_much_was_left_out() {
        let long = received("가".repeat(SHOWN_CHARS + 500)).shortened(SHOWN_CHARS);
        let (_, line) = EN.log_line(&long);
        assert!(line.starts_with(&format!("[rcv] {}", "가".repeat(SHOWN_CHARS))));
        assert!(
            line.ends_with("가 ... (500 more characters not shown)"),
            "{}",
            &line[line.len() - 60..]
        );
        let short = received("hello".into()).shortened(SHOWN_CHARS);
        assert_eq!(EN.log_line(&short).1, "[rcv] hello");
        assert_eq!(short.text_len(), 5);
        let exact = received("x".repeat(SHOWN_CHARS)).shortened(SHOWN_CHARS);
        assert_eq!(
            EN.log_line(&exact).1,
            format!("[rcv] {}", "x".repeat(SHOWN_CHARS))
        );
    }

    #[test]
    fn original_log_words_are_kept() {
        assert_eq!(EN.log_line(&Event::ListenStopped).1, "Stop Listening");
        assert_eq!(
            EN.log_line(&Event::PeerConnected { peer: peer() }).1,
            "Connect : 127.0.0.1 50312"
        );
        assert_eq!(
            EN.log_line(&received("hi".into())),
            (LineKind::Received, "[rcv] hi".into())
        );
        let sent = Event::Sent {
            text: "yo".into(),
            peers: 1,
            cut: 0,
        };
        assert_eq!(EN.log_line(&sent).1, "[send] yo");
        let listening = Event::Listening {
            addrs: vec!["[::]:12345".parse().unwrap()],
            reachable: vec!["192.168.0.5".into(), "127.0.0.1".into()],
        };
        assert_eq!(
            EN.log_line(&listening).1,
            "Start Listening (port 12345 on 192.168.0.5, 127.0.0.1)"
        );
        let bound = Event::Listening {
            addrs: vec!["127.0.0.1:5".parse().unwrap()],
            reachable: vec!["127.0.0.1".into()],
        };
        assert_eq!(
            EN.log_line(&bound).1,
            "Start Listening (port 5 on 127.0.0.1 only)"
        );
    }

    #[test]
    fn the_transcripts_words_are_the_logs_words_appended_to_what_the_line_holds() {
        let cut = received("가".repeat(SHOWN_CHARS + 3)).shortened(SHOWN_CHARS);
        let events = [
            received("hi".into()),
            received("bell\x07 and \u{202e}override".into()),
            cut,
            Event::Received {
                side: Side::Incoming,
                peer: peer(),
                text: "hi".into(),
                show_peer: true,
                cut: 0,
            },
            Event::Sent {
                text: "yo".into(),
                peers: 2,
                cut: 4,
            },
            Event::PeerConnected { peer: peer() },
            Event::Error(Error::AlreadyListening),
        ];
        for speech in [
            EN,
            Speech {
                lang: crate::i18n::Lang::Ko,
                ..EN
            },
        ] {
            for event in &events {
                let mut line = "12:00 ".to_string();
                speech.write_log_line(event, &mut line);
                assert_eq!(line, format!("12:00 {}", speech.log_line(event).1));
            }
        }
        // The log's words differ from one event to the next: the check above can fail.
        assert_ne!(EN.log_line(&events[0]).1, EN.log_line(&events[1]).1);
    }

    #[test]
    fn received_line_names_the_peer_when_several_are_connected() {
        let rcv = Event::Received {
            side: Side::Incoming,
            peer: peer(),
            text: "hi".into(),
            show_peer: true,
            cut: 0,
        };
        assert_eq!(EN.log_line(&rcv).1, "[rcv] (127.0.0.1 50312) hi");
    }

    #[test]
    fn each_front_end_names_its_own_controls_in_the_same_error() {
        let window = EN.error(&Error::AlreadyListening);
        let terminal = Speech {
            ui: FrontEnd::Terminal,
            ..EN
        }
        .error(&Error::AlreadyListening);
        assert!(window.contains("press Close"), "{window}");
        assert!(terminal.contains("/close listen"), "{terminal}");
        let korean = Speech {
            lang: Lang::Ko,
            ..EN
        }
        .error(&Error::AlreadyListening);
        assert_ne!(korean, window, "in Korean: {korean}");
    }

    #[test]
    fn an_io_cause_keeps_its_kind_and_reads_as_words() {
        let full = IoCause::of(&std::io::Error::from(ErrorKind::StorageFull));
        assert_eq!(full.kind, ErrorKind::StorageFull);
        assert_eq!(EN.io(&full), EN.text("io-storage-full", &[]));
        let rare = IoCause::of(&std::io::Error::from_raw_os_error(libc::EXDEV));
        assert_eq!(EN.io(&rare), "invalid cross-device link");
    }

    #[test]
    fn an_empty_field_is_a_field_in_the_window_and_not_in_the_terminal() {
        let terminal = Speech {
            ui: FrontEnd::Terminal,
            ..EN
        };
        assert!(EN
            .address_error(&AddressError::EmptyPort)
            .starts_with("the port field is empty"));
        assert!(terminal
            .address_error(&AddressError::EmptyPort)
            .starts_with("the port is empty"));
        assert!(terminal
            .address_error(&AddressError::EmptyHost)
            .starts_with("the address is empty"));
    }

    #[test]
    fn an_address_mistake_says_what_to_type() {
        assert_eq!(
            EN.address_error(&AddressError::PortOutOfRange("70000".into())),
            "70000 is not a port: a port is a number from 1 to 65535"
        );
        let scope = EN.address_error(&AddressError::LinkLocalNeedsScope(
            "fe80::1".parse().unwrap(),
        ));
        assert!(scope.contains("fe80::1%eth0"), "{scope}");
    }

    #[test]
    fn sizes_read_as_a_person_says_them() {
        assert_eq!(EN.size(64 << 20), "64 MiB");
        assert_eq!(EN.size(1536), "1.5 KiB");
        assert_eq!(EN.size(4096), "4 KiB");
        assert_eq!(EN.size(1000), "1000 bytes");
    }
}
