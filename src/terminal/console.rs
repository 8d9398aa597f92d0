//! `--terminal` on a terminal: a line editor (reedline: arrows, history, Ctrl-A/E, wide
//! characters) at the bottom, the log printed above it as it comes, in the window's
//! colours, without breaking the line being typed.

use super::command::{self, AutoReply, Command};
use super::EXIT_OK;
use crate::engine::address::parse_host_port;
use crate::engine::chat::Peer;
use crate::engine::event::ip_port;
use crate::engine::{EventQueue, LineKind};
use crate::engine::{Session, Stop};
use crate::i18n::Speech;
use crate::startup::Startup;
use crate::tr;
use reedline::{ExternalPrinter, Prompt, PromptEditMode, PromptHistorySearch, Reedline, Signal};
use std::borrow::Cow;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::SyncSender;
use std::sync::Arc;
use std::time::Duration;

/// Batches of log lines that may wait for the editor to print them. The printer waits
/// when they are all taken, so a terminal slower than the peers (over SSH) holds the
/// peers back through the event queue, as the window does, instead of filling memory.
const PRINTER_BATCHES: usize = 2;

/// How often the editor looks for log lines to print while it waits for keys.
const PRINT_INTERVAL: Duration = Duration::from_millis(30);

pub fn run(startup: Startup, speech: Speech, stop: &Stop) -> i32 {
    let mut session = super::open_session(&startup, speech, stop);
    // Told to end (a signal): after the session's own end, the terminal as it was, the
    // line editor's raw mode off.
    stop.on_request(|cause| {
        if matches!(cause, crate::engine::stop::Cause::Signal(_)) {
            let _ = crossterm::terminal::disable_raw_mode();
            let _ = writeln!(std::io::stdout());
        }
    });
    let printer = ExternalPrinter::<String>::new(PRINTER_BATCHES);
    let stop = Arc::new(AtomicBool::new(false));
    let times = Arc::new(AtomicBool::new(startup.timestamps));
    let palette = Palette::for_this_terminal();
    let printing = {
        let (queue, sender) = (session.queue().clone(), printer.sender());
        let (stop, times) = (stop.clone(), times.clone());
        std::thread::Builder::new()
            .name("tcp-chat-printer".into())
            .spawn(move || print_log(&queue, &sender, &stop, &times, speech, palette))
    };
    if let Err(e) = printing {
        eprintln!("{}", tr!("terminal-no-printer", detail = e.to_string()));
        return super::EXIT_FAILED;
    }
    let mut editor = Reedline::create()
        // What is typed and the prompt in the terminal's own colours (reedline's white
        // text would vanish on a light background); the log lines bring their own.
        .with_ansi_colors(false)
        .with_external_printer(printer)
        .with_poll_interval(PRINT_INTERVAL);
    super::start(&mut session, &startup);
    let mut auto_reply = AutoReplyState {
        text: startup
            .settings
            .auto_reply
            .clone()
            .unwrap_or_else(|| crate::engine::chat::DEFAULT_AUTO_REPLY.to_string()),
        on: startup.settings.auto_reply.is_some(),
    };
    let prompt = ChatPrompt;
    loop {
        match editor.read_line(&prompt) {
            Ok(Signal::Success(line)) => {
                let said = match command::parse(&line) {
                    Ok(command) => apply(
                        command,
                        &mut session,
                        &startup,
                        &mut auto_reply,
                        &times,
                        speech,
                    ),
                    Err(sentence) => Said::Note(palette.paint(LineKind::Error, &sentence)),
                };
                match said {
                    Said::Nothing => {}
                    Said::Note(text) => println!("{text}"),
                    Said::Quit => break,
                }
            }
            Ok(Signal::CtrlC | Signal::CtrlD) => break,
            Ok(_) => {}
            Err(e) => {
                eprintln!("{}", tr!("terminal-not-answering", detail = e.to_string()));
                break;
            }
        }
    }
    // Leave at once: every socket is closed here; the printer may be waiting for the
    // editor, which is gone, and is not waited for.
    stop.store(true, Ordering::SeqCst);
    drop(editor);
    drop(session);
    EXIT_OK
}

/// What a typed line led to, besides what the log shows.
enum Said {
    Nothing,
    /// A few lines for the person who typed (a list, a sentence), not for the log.
    Note(String),
    Quit,
}

struct AutoReplyState {
    text: String,
    on: bool,
}

fn apply(
    command: Command<'_>,
    session: &mut Session,
    startup: &Startup,
    auto_reply: &mut AutoReplyState,
    times: &AtomicBool,
    speech: Speech,
) -> Said {
    let chat = session.chat();
    match command {
        Command::Nothing => {}
        // Errors reach the log as sentences; nothing more to say here.
        Command::Send(text) => {
            let _ = chat.send(text);
        }
        Command::Listen { port } => {
            let _ = chat.listen(port.unwrap_or(&startup.listen_port));
        }
        Command::Connect { host, port } => {
            let nearby = chat.nearby();
            let found = nearby.iter().find(|n| n.name.eq_ignore_ascii_case(host));
            let (host, port) = match (port, found) {
                (Some(port), _) => (host.to_string(), port.to_string()),
                // The name of a chat found nearby (`/nearby`).
                (None, Some(found)) => (found.address().to_string(), found.port.to_string()),
                // `HOST:PORT`, or the host alone with --port's port.
                (None, None) => match parse_host_port(host) {
                    Ok((host, Some(port))) => (host.to_string(), port.to_string()),
                    _ => (host.to_string(), startup.port.clone()),
                },
            };
            let _ = chat.connect(&host, &port);
        }
        Command::Close => {
            if !chat.disconnect() {
                return Said::Note(tr!("terminal-not-connected"));
            }
        }
        Command::CloseListen => {
            if !chat.stop_listening() {
                return Said::Note(tr!("terminal-not-listening"));
            }
        }
        Command::Peers => return Said::Note(peer_list(&chat.peers(), speech)),
        // Done or not, the log says so.
        Command::Kick(number) => {
            let _ = chat.kick(number);
        }
        Command::Hex(bytes) => {
            let _ = chat.send_hex(bytes);
        }
        Command::Reset(number) => {
            let _ = chat.reset(number);
        }
        Command::Block(address) => {
            let _ = chat.block(address);
        }
        Command::Unblock(address) => {
            let _ = chat.unblock(address);
        }
        Command::Lock(on) => {
            if chat.is_locked() == on {
                return Said::Note(if on {
                    tr!("terminal-locked-already")
                } else {
                    tr!("terminal-unlocked-already")
                });
            }
            chat.set_locked(on);
        }
        Command::Nearby => {
            return Said::Note(if chat.discovers() {
                nearby_list(&chat.nearby())
            } else {
                tr!("terminal-nearby-off")
            })
        }
        Command::AutoReply(arg) => {
            match arg {
                AutoReply::On => auto_reply.on = true,
                AutoReply::Off => auto_reply.on = false,
                AutoReply::Text(text) => {
                    auto_reply.text = text.to_string();
                    auto_reply.on = true;
                }
            }
            chat.set_auto_reply(auto_reply.on.then(|| auto_reply.text.clone()));
            return Said::Note(if auto_reply.on {
                tr!("terminal-auto-reply-on", text = &auto_reply.text)
            } else {
                tr!("terminal-auto-reply-off")
            });
        }
        Command::Help => return Said::Note(command::help()),
        Command::Times(on) => times.store(on, Ordering::SeqCst),
        Command::Relay(on) => {
            chat.set_relay(on);
            return Said::Note(if on {
                tr!("terminal-relay-on")
            } else {
                tr!("terminal-relay-off")
            });
        }
        Command::Wire(on) => {
            chat.set_wire(on);
            return Said::Note(if on {
                tr!("terminal-wire-on")
            } else {
                tr!("terminal-wire-off")
            });
        }
        Command::Quit => return Said::Quit,
    }
    Said::Nothing
}

/// `/nearby`: one line a chat found on the LAN.
fn nearby_list(found: &[crate::engine::discovery::Nearby]) -> String {
    if found.is_empty() {
        return tr!("terminal-nearby-none");
    }
    let mut text = tr!("terminal-nearby", count = found.len());
    for nearby in found {
        let entry = tr!(
            "terminal-nearby-entry",
            name = &nearby.name,
            address = nearby.address(),
            port = nearby.port.to_string()
        );
        text.push_str(&format!("\n  {entry}"));
    }
    text
}

/// `/peers`: one line a peer, numbered (`out` for the connection we made), as the log
/// names them, with both ends and what TCP says of the connection.
fn peer_list(peers: &[Peer], speech: Speech) -> String {
    if peers.is_empty() {
        return tr!("terminal-no-peers");
    }
    let mut text = tr!("terminal-peers", count = peers.len());
    for peer in peers {
        let remote = ip_port(&peer.remote);
        let (number, mut line) = match peer.number {
            None => (
                "out".to_string(),
                tr!("terminal-connected-to", peer = remote),
            ),
            Some(n) => (n.to_string(), tr!("terminal-connected-from", peer = remote)),
        };
        if let Some(local) = &peer.local {
            let local = ip_port(local);
            line.push_str(", ");
            line.push_str(&match peer.number {
                None => tr!("terminal-peer-ours-chosen", local = local),
                Some(_) => tr!("terminal-peer-ours", local = local),
            });
        }
        if let Some(tcp) = &peer.tcp {
            line.push_str(": ");
            line.push_str(&speech.tcp_details(tcp));
        }
        text.push_str(&format!("\n  {number:>3}  {line}"));
    }
    text
}

/// Hands the log to the editor in batches, as the engine reports it, until `stop`.
fn print_log(
    queue: &EventQueue,
    printer: &SyncSender<String>,
    stop: &AtomicBool,
    times: &AtomicBool,
    speech: Speech,
    palette: Palette,
) {
    while !stop.load(Ordering::SeqCst) {
        let events = queue.wait_drain(Duration::from_millis(200));
        if events.is_empty() {
            continue;
        }
        let text = super::log_lines(events, speech, times.load(Ordering::SeqCst))
            .map(|(kind, line)| palette.paint(kind, &line))
            .collect::<Vec<_>>()
            .join("\n");
        if printer.send(text).is_err() {
            return;
        }
    }
}

/// How log lines are coloured on this terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Palette {
    /// No colours: `NO_COLOR` is set, or `TERM` is dumb.
    Plain,
    /// The window's colours as the terminal's own red, blue and green, which its theme
    /// keeps readable on a dark background as on a light one.
    Ansi,
}

impl Palette {
    fn for_this_terminal() -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
        if no_color || dumb {
            Palette::Plain
        } else {
            Palette::Ansi
        }
    }

    /// `line` in the colour of its kind.
    pub fn paint(self, kind: LineKind, line: &str) -> String {
        match (self, ansi_colour(kind)) {
            (Palette::Ansi, Some(code)) => format!("\x1b[{code}m{line}\x1b[0m"),
            _ => line.to_string(),
        }
    }
}

/// The SGR colour of each kind of line: the window's `[rcv]` blue, `[send]` green and
/// `Error :` red (qml/main.qml); other lines in the terminal's own colour.
fn ansi_colour(kind: LineKind) -> Option<u8> {
    match kind {
        LineKind::Error => Some(31),
        LineKind::Received => Some(34),
        LineKind::Sent => Some(32),
        LineKind::Info => None,
        // Grey: the bytes under the lines.
        LineKind::Wire => Some(90),
    }
}

/// `> `, with nothing on the right.
struct ChatPrompt;

impl Prompt for ChatPrompt {
    fn render_prompt_left(&self) -> Cow<'_, str> {
        Cow::Borrowed("")
    }
    fn render_prompt_right(&self) -> Cow<'_, str> {
        Cow::Borrowed("")
    }
    fn render_prompt_indicator(&self, _mode: PromptEditMode) -> Cow<'_, str> {
        Cow::Borrowed("> ")
    }
    fn render_prompt_multiline_indicator(&self) -> Cow<'_, str> {
        Cow::Borrowed("… ")
    }
    fn render_prompt_history_search_indicator(&self, search: PromptHistorySearch) -> Cow<'_, str> {
        Cow::Owned(format!("(search: {}) ", search.term))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The window's colour of a kind of line, from qml/main.qml.
    fn window_colour(kind: &str) -> (u8, u8, u8) {
        let qml = include_str!("../../qml/main.qml");
        let at = qml
            .find(&format!("kind === \"{kind}\" ? \"#"))
            .unwrap_or_else(|| panic!("main.qml colours {kind} lines no more"));
        let hex = &qml[at + kind.len() + 16..][..6];
        let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap();
        (byte(0), byte(2), byte(4))
    }

    #[test]
    fn log_lines_have_the_windows_colours() {
        // SGR 31, 32, 34: red, green, blue. Each must be the window colour's strongest
        // part.
        for (kind, name) in [
            (LineKind::Error, "error"),
            (LineKind::Sent, "send"),
            (LineKind::Received, "rcv"),
        ] {
            let (r, g, b) = window_colour(name);
            let strongest = if r > g && r > b {
                31
            } else if g > r && g > b {
                32
            } else {
                34
            };
            assert_eq!(ansi_colour(kind), Some(strongest), "{name} lines");
        }
        assert_eq!(ansi_colour(LineKind::Info), None);
        assert_eq!(
            Palette::Ansi.paint(LineKind::Received, "[rcv] hi"),
            "\x1b[34m[rcv] hi\x1b[0m"
        );
        assert_eq!(
            Palette::Plain.paint(LineKind::Error, "Error : x"),
            "Error : x"
        );
    }

    #[test]
    fn peers_are_listed_numbered_as_the_log_names_them() {
        let speech = Speech::terminal();
        assert_eq!(peer_list(&[], speech), "No peer is connected.");
        let peer = |number, side, remote: &str, local: &str| Peer {
            number,
            side,
            remote: remote.parse().unwrap(),
            local: Some(local.parse().unwrap()),
            tcp: None,
        };
        let mut first = peer(
            None,
            crate::engine::Side::Outgoing,
            "127.0.0.1:12345",
            "127.0.0.1:50312",
        );
        first.tcp = Some(crate::engine::connection::TcpDetails {
            state: "ESTABLISHED",
            rtt_us: 120,
            retransmitted: 0,
            bytes_sent: 10,
            bytes_received: 2048,
            writes: 1,
            reads: 3,
            since: 14 * 3600 + 5 * 60 + 9,
        });
        let list = peer_list(
            &[
                first,
                peer(
                    Some(3),
                    crate::engine::Side::Incoming,
                    "[::ffff:10.0.0.2]:50312",
                    "10.0.0.1:12345",
                ),
            ],
            speech,
        );
        assert_eq!(
            list,
            "2 peers:\n  out  connected to 127.0.0.1 12345, ours 127.0.0.1 50312, a port the system chose: ESTABLISHED, rtt 0.1 ms, 0 retransmitted, sent 10 bytes in 1 write, received 2 KiB in 3 reads, since 14:05:09\n    3  connected from 10.0.0.2 50312, ours 10.0.0.1 12345"
        );
    }
}
