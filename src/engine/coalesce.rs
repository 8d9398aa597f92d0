//! What the log shows of peers that come and go fast. A student's first script often
//! connects and leaves hundreds of times a second; one line each would bury the chat's
//! own lines. So an address's first [`SHOWN_PER_SECOND`] `Connect :`, `Disconnect :`
//! and refusal lines in a second are reported as they are, and past that one line a
//! second at most ([`Event::Coalesced`]) says how many were not. An address that was
//! summarised shows only summaries until it has been quiet for a second. A peer closed
//! here (Close, `/kick`, `/block`) is the person's own doing, and always said.
//!
//! It sits between the engine and its queue, as a sink: the engine's events stay as
//! they are, and lines received pass through without taking its lock.

use super::error::Error;
use super::event::{Event, LeaveReason};
use super::sink::{EventSink, Room, Wakes};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

/// How many of an address's comings, goings and refusals a second are shown one by one.
pub const SHOWN_PER_SECOND: u32 = 3;

/// The span one summary covers.
pub const WINDOW: Duration = Duration::from_secs(1);

/// The most addresses followed at once; past it, a new address's lines pass as they
/// are (an attacker with many addresses cannot make this grow without bound).
const MOST_ADDRESSES: usize = 4096;

/// The engine's sink with an address's fast comings and goings summarised.
pub struct Coalesce {
    inner: Arc<dyn EventSink>,
    state: Arc<Mutex<State>>,
}

#[derive(Default)]
struct State {
    hosts: HashMap<IpAddr, Host>,
    /// A thread writes the summaries due when nothing else comes to write them.
    flushing: bool,
}

/// One address's current second.
struct Host {
    since: Instant,
    shown: u32,
    /// How many may be shown one by one this second.
    budget: u32,
    connects: u64,
    leaves: u64,
    refused: u64,
}

/// What kind of line an event is, for the count.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Connect,
    Leave,
    Refusal,
    /// A peer's FIN before its Disconnect: shown while its address is shown one by one,
    /// and neither counted nor said in a summary (its Disconnect is).
    Finish,
}

impl Host {
    fn new(now: Instant) -> Self {
        Self {
            since: now,
            shown: 0,
            budget: SHOWN_PER_SECOND,
            connects: 0,
            leaves: 0,
            refused: 0,
        }
    }

    fn held_back(&self) -> bool {
        self.connects + self.leaves + self.refused > 0
    }

    /// The summary of the second that ended (if anything was held back), and a new one:
    /// after a summary, nothing more one by one until a quiet second.
    fn next_second(&mut self, ip: IpAddr, now: Instant) -> Option<Event> {
        let summary = self.held_back().then(|| Event::Coalesced {
            address: ip,
            connects: self.connects,
            leaves: self.leaves,
            refused: self.refused,
            seconds: now.duration_since(self.since).as_secs().max(1),
        });
        let budget = if summary.is_some() {
            0
        } else {
            SHOWN_PER_SECOND
        };
        *self = Self {
            budget,
            ..Self::new(now)
        };
        summary
    }
}

/// The address and kind of a coming, going or refusal; `None` for any other event.
fn classify(event: &Event) -> Option<(IpAddr, Kind)> {
    let from_text = |peer: &str| peer.split(' ').next()?.parse::<IpAddr>().ok();
    match event {
        Event::PeerConnected { peer } => Some((peer.ip(), Kind::Connect)),
        // Closed here (Close, /kick, /block): the person's own doing, said one by one.
        Event::PeerLeft {
            reason: LeaveReason::ByUs,
            ..
        } => None,
        Event::PeerLeft { peer, .. } => Some((peer.ip(), Kind::Leave)),
        Event::PeerFinished { peer } => Some((peer.ip(), Kind::Finish)),
        Event::Error(
            Error::ListenerFull { peer, .. }
            | Error::HostFull { peer, .. }
            | Error::NotAllowed { peer }
            | Error::Blocked { peer }
            | Error::Locked { peer },
        ) => Some((from_text(peer)?, Kind::Refusal)),
        _ => None,
    }
}

impl Coalesce {
    pub fn new(inner: Arc<dyn EventSink>) -> Arc<Self> {
        Arc::new(Self {
            inner,
            state: Arc::default(),
        })
    }

    fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
        state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes the lines held back out of `events`; returns the summaries due before what
    /// is left, and the room the lines held back took.
    fn hold_back(&self, events: &mut Vec<Event>) -> (Vec<Event>, Room) {
        let mut summaries = Vec::new();
        let mut held = Room::default();
        if !events.iter().any(|e| classify(e).is_some()) {
            return (summaries, held);
        }
        let now = Instant::now();
        let mut state = Self::lock(&self.state);
        if state.hosts.len() >= MOST_ADDRESSES {
            state
                .hosts
                .retain(|_, h| h.held_back() || now.duration_since(h.since) < 2 * WINDOW);
        }
        let mut start_flusher = false;
        events.retain(|event| {
            let Some((ip, kind)) = classify(event) else {
                return true;
            };
            if !state.hosts.contains_key(&ip) && state.hosts.len() >= MOST_ADDRESSES {
                return true;
            }
            let host = state.hosts.entry(ip).or_insert_with(|| Host::new(now));
            if now.duration_since(host.since) >= WINDOW {
                summaries.extend(host.next_second(ip, now));
            }
            if host.shown < host.budget {
                host.shown += u32::from(kind != Kind::Finish);
                return true;
            }
            match kind {
                Kind::Connect => host.connects += 1,
                Kind::Leave => host.leaves += 1,
                Kind::Refusal => host.refused += 1,
                Kind::Finish => {}
            }
            held.events += 1;
            held.bytes += event.text_len();
            start_flusher = true;
            false
        });
        if start_flusher && !state.flushing {
            state.flushing = spawn_flusher(Arc::downgrade(&self.state), self.inner.clone());
        }
        (summaries, held)
    }
}

/// A thread that writes each summary when its second ends, and ends when nothing is
/// held back; false if it could not start (the summaries then come with the next line).
fn spawn_flusher(state: Weak<Mutex<State>>, inner: Arc<dyn EventSink>) -> bool {
    std::thread::Builder::new()
        .name("tcp-chat-summary".into())
        .stack_size(64 * 1024)
        .spawn(move || loop {
            std::thread::sleep(WINDOW / 10);
            let Some(state) = state.upgrade() else {
                return;
            };
            let now = Instant::now();
            let mut summaries = Vec::new();
            let done = {
                let mut state = Coalesce::lock(&state);
                for (ip, host) in state.hosts.iter_mut() {
                    if host.held_back() && now.duration_since(host.since) >= WINDOW {
                        summaries.extend(host.next_second(*ip, now));
                    }
                }
                state
                    .hosts
                    .retain(|_, h| h.held_back() || now.duration_since(h.since) < 2 * WINDOW);
                // Decided under the lock: a line held back after this starts a new thread.
                let done = !state.hosts.values().any(Host::held_back);
                if done {
                    state.flushing = false;
                }
                done
            };
            if !summaries.is_empty() {
                inner.emit_all(&mut summaries);
            }
            if done {
                return;
            }
        })
        .is_ok()
}

impl EventSink for Coalesce {
    fn emit_all(&self, events: &mut Vec<Event>) {
        let (mut summaries, _) = self.hold_back(events);
        summaries.append(events);
        if !summaries.is_empty() {
            self.inner.emit_all(&mut summaries);
        }
    }

    fn reserve(&self, room: Room) -> bool {
        self.inner.reserve(room)
    }

    fn emit_reserved_quietly(&self, events: &mut Vec<Event>, room: Room) -> Wakes {
        let (mut summaries, held) = self.hold_back(events);
        if !summaries.is_empty() {
            // Control lines: never held back, and before the new second's lines.
            self.inner.emit_all(&mut summaries);
        }
        if held == Room::default() {
            return self.inner.emit_reserved_quietly(events, room);
        }
        // The room of the lines held back goes back at once.
        let held = Room {
            events: held.events.min(room.events),
            bytes: held.bytes.min(room.bytes),
        };
        self.inner.release(held);
        let left = Room {
            events: room.events - held.events,
            bytes: room.bytes - held.bytes,
        };
        if events.is_empty() {
            self.inner.release(left);
            Wakes::default()
        } else {
            self.inner.emit_reserved_quietly(events, left)
        }
    }

    fn wake(&self, wakes: Wakes) {
        self.inner.wake(wakes)
    }

    fn release(&self, room: Room) {
        self.inner.release(room)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::event::LeaveReason;
    use crate::engine::sink::EventQueue;
    use std::net::SocketAddr;

    fn from(ip: [u8; 4], port: u16) -> SocketAddr {
        SocketAddr::from((ip, port))
    }

    #[test]
    fn past_three_a_second_an_address_is_summarised_and_others_pass_as_they_are() {
        let queue = Arc::new(EventQueue::new(10_000, || {}));
        let sink = Coalesce::new(queue.clone());
        for port in 0..100 {
            sink.emit(Event::PeerConnected {
                peer: from([127, 0, 0, 3], port),
            });
            sink.emit(Event::PeerLeft {
                peer: from([127, 0, 0, 3], port),
                reason: LeaveReason::Closed,
            });
        }
        // Another computer, and a line received, meanwhile: as they are.
        sink.emit(Event::PeerConnected {
            peer: from([127, 0, 0, 1], 5000),
        });
        let shown = queue.drain();
        assert_eq!(shown.len(), 3 + 1, "{shown:?}");
        assert!(matches!(shown[3], Event::PeerConnected { peer } if peer.port() == 5000));
        // The summary comes when the second ends, with nothing else to bring it.
        let summary = queue.wait_drain(WINDOW * 3);
        assert_eq!(
            summary,
            vec![Event::Coalesced {
                address: "127.0.0.3".parse().unwrap(),
                connects: 98,
                leaves: 99,
                refused: 0,
                seconds: 1,
            }]
        );
    }

    #[test]
    fn the_room_of_a_line_held_back_is_given_back() {
        let queue = Arc::new(EventQueue::new(4, || {}));
        let sink = Coalesce::new(queue.clone());
        let room = Room {
            events: 1,
            bytes: 0,
        };
        // Far more reports than the queue has room for: each held back gives it back (if
        // it did not, a reservation would wait for room forever: the deadline fails it).
        let (done, finished) = std::sync::mpsc::channel();
        let reporter = sink.clone();
        std::thread::spawn(move || {
            for port in 0..50 {
                assert!(reporter.reserve(room), "room for report {port}");
                reporter.emit_reserved(
                    &mut vec![Event::PeerConnected {
                        peer: from([127, 0, 0, 4], port),
                    }],
                    room,
                );
            }
            let _ = done.send(());
        });
        assert!(
            finished.recv_timeout(Duration::from_secs(10)).is_ok(),
            "a reservation waited for room that was never given back"
        );
        assert_eq!(queue.drain().len(), 3);
        queue.close();
    }
}
