//! One TCP connection: a reader thread that turns the peer's bytes into lines (and answers
//! them with the auto-reply on the listener's side), and an outbox that writes without
//! ever making the caller wait, backed by a writer thread for what the socket cannot take
//! at once.
//!
//! A connection ends exactly once, by whoever gets there first: the reader (the peer
//! closed or reset), the outbox (the peer stopped reading), or [`Connection::close`]. The
//! one that ends it reports it, so every connection has one "Disconnect" line.

use super::event::{Event, LeaveReason, Side};
use super::framing::LineDecoder;
use super::sink::EventSink;
use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, RwLock};
use std::thread;
use std::time::Duration;

/// How long a peer must be quiet before bytes without a newline are shown as a message.
pub const QUIET: Duration = Duration::from_millis(30);

/// How much may wait to be written to one peer before it counts as not reading.
pub const OUTBOX_LIMIT: usize = 1024 * 1024;

/// Bytes read from the socket at once.
const READ_BUFFER: usize = 64 * 1024;

/// Stack for the reader and writer threads: they hold no large locals.
const THREAD_STACK: usize = 256 * 1024;

/// The auto-reply, shared with every reader and changeable while they run.
pub type AutoReply = Arc<RwLock<Option<Arc<[u8]>>>>;

/// What the engine shares with every connection.
pub struct Shared {
    pub sink: Arc<dyn EventSink>,
    /// How many peers are connected, listener and client together.
    pub peers: Arc<AtomicUsize>,
}

/// Handed to a connection when it starts.
pub struct Setup {
    pub side: Side,
    /// Sent after each line received; only the listener's peers get one.
    pub auto_reply: Option<AutoReply>,
    /// Called once when the connection ends, after its leave event was reported.
    pub on_end: Box<dyn FnOnce() + Send>,
    /// The event that reports the connection's end.
    pub leave_event: fn(SocketAddr, LeaveReason) -> Event,
}

/// A running connection. Dropping it does not close it; [`Connection::close`] does.
pub struct Connection {
    inner: Arc<Inner>,
}

struct Inner {
    stream: TcpStream,
    peer: SocketAddr,
    side: Side,
    shared: Shared,
    /// Whether the connection has ended; whoever flips it reports the end. Lines are
    /// reported under this lock too, so none can follow the end's report.
    ended: Mutex<Option<Box<dyn FnOnce() + Send>>>,
    leave_event: fn(SocketAddr, LeaveReason) -> Event,
    outbox: Outbox,
}

#[derive(Default)]
struct Outbox {
    state: Mutex<OutState>,
    ready: Condvar,
}

#[derive(Default)]
struct OutState {
    /// Messages not yet written, with how much of the first one was already written.
    queue: VecDeque<Arc<[u8]>>,
    written_of_first: usize,
    queued_bytes: usize,
    /// The writer thread is in a blocking write outside the lock.
    busy: bool,
    closed: bool,
}

impl Connection {
    /// Starts the reader and writer threads for `stream`.
    pub fn start(
        stream: TcpStream,
        peer: SocketAddr,
        shared: Shared,
        setup: Setup,
    ) -> io::Result<Self> {
        stream.set_nodelay(true)?;
        detect_vanished_peers(&stream)?;
        shared.peers.fetch_add(1, Ordering::SeqCst);
        let inner = Arc::new(Inner {
            stream,
            peer,
            side: setup.side,
            shared,
            ended: Mutex::new(Some(setup.on_end)),
            leave_event: setup.leave_event,
            outbox: Outbox::default(),
        });
        let spawn = |name: &str, run: Box<dyn FnOnce() + Send>| {
            thread::Builder::new()
                .name(name.into())
                .stack_size(THREAD_STACK)
                .spawn(run)
        };
        let reader = {
            let inner = inner.clone();
            let auto_reply = setup.auto_reply;
            spawn(
                "tcp-chat-reader",
                Box::new(move || inner.read_loop(auto_reply)),
            )
        };
        let writer = {
            let inner = inner.clone();
            spawn("tcp-chat-writer", Box::new(move || inner.write_loop()))
        };
        // The threads are not joined: each ends on its own once the connection has ended.
        match (reader, writer) {
            (Ok(_), Ok(_)) => {}
            (Err(e), _) | (_, Err(e)) => {
                inner.end(LeaveReason::Broken);
                return Err(e);
            }
        };
        Ok(Self { inner })
    }

    /// A handle for sending and closing that can be kept apart from the connection.
    pub fn link(&self) -> Link {
        Link(self.inner.clone())
    }

    /// Queues `bytes` for the peer without waiting. Returns false when the connection has
    /// ended, or ends now because the peer stopped reading.
    pub fn send(&self, bytes: &Arc<[u8]>) -> bool {
        self.inner.send(bytes)
    }

    /// Disconnects the peer and reports it; the threads end on their own right after.
    pub fn close(&self) {
        self.inner.end(LeaveReason::ByUs);
    }

    pub fn is_ended(&self) -> bool {
        self.inner.lock_ended().is_none()
    }
}

/// Sends to and closes a connection; cheap to clone.
#[derive(Clone)]
pub struct Link(Arc<Inner>);

impl Link {
    /// As [`Connection::send`].
    pub fn send(&self, bytes: &Arc<[u8]>) -> bool {
        self.0.send(bytes)
    }

    /// As [`Connection::close`].
    pub fn close(&self) {
        self.0.end(LeaveReason::ByUs);
    }
}

impl Inner {
    fn lock_ended(&self) -> MutexGuard<'_, Option<Box<dyn FnOnce() + Send>>> {
        self.ended.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Ends the connection if nobody has yet: reports it, shuts the socket (which wakes
    /// the reader and any blocked write) and stops the writer.
    fn end(&self, reason: LeaveReason) {
        // Taking `on_end` under the lock is what ends the connection: from here on no line
        // of it is reported, so its leave event is the last thing said of it.
        let Some(on_end) = self.lock_ended().take() else {
            return;
        };
        let _ = self.stream.shutdown(Shutdown::Both);
        {
            let mut out = self.outbox.lock();
            out.closed = true;
            out.queue.clear();
            out.queued_bytes = 0;
        }
        self.outbox.ready.notify_all();
        // Counts and tables first, so that whoever reads the event sees them updated.
        self.shared.peers.fetch_sub(1, Ordering::SeqCst);
        on_end();
        self.shared.sink.emit((self.leave_event)(self.peer, reason));
    }

    fn read_loop(&self, auto_reply: Option<AutoReply>) {
        let mut buf = vec![0u8; READ_BUFFER];
        let mut decoder = LineDecoder::new();
        let mut lines: Vec<String> = Vec::new();
        let mut timeout_on = false;
        let reason = loop {
            // Wait for the newline with no timeout; with a partial line, only for QUIET.
            if decoder.has_partial() != timeout_on {
                timeout_on = !timeout_on;
                let _ = self.stream.set_read_timeout(timeout_on.then_some(QUIET));
            }
            match (&self.stream).read(&mut buf) {
                Ok(0) => {
                    decoder.finish(|l| lines.push(l));
                    self.deliver(&mut lines, auto_reply.as_ref());
                    break LeaveReason::Closed;
                }
                Ok(n) => decoder.push(&buf[..n], |l| lines.push(l)),
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    decoder.flush_partial(|l| lines.push(l));
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => {
                    decoder.finish(|l| lines.push(l));
                    self.deliver(&mut lines, auto_reply.as_ref());
                    break LeaveReason::Broken;
                }
            }
            if !lines.is_empty() && !self.deliver(&mut lines, auto_reply.as_ref()) {
                return;
            }
        };
        self.end(reason);
    }

    /// Reports `lines` and answers each with the auto-reply. Returns false when the
    /// connection has ended meanwhile (the lines are then dropped, as Close asked).
    fn deliver(&self, lines: &mut Vec<String>, auto_reply: Option<&AutoReply>) -> bool {
        if lines.is_empty() {
            return true;
        }
        if !self.shared.sink.wait_for_room() {
            lines.clear();
            return false;
        }
        let count = lines.len();
        {
            // Reported before they are answered: a peer that connects after our answer
            // reached this one never has its lines shown first.
            let ended = self.lock_ended();
            if ended.is_none() {
                lines.clear();
                return false;
            }
            let show_peer = self.shared.peers.load(Ordering::Relaxed) > 1;
            let mut events: Vec<Event> = lines
                .drain(..)
                .map(|text| Event::Received {
                    side: self.side,
                    peer: self.peer,
                    text,
                    show_peer,
                })
                .collect();
            self.shared.sink.emit_all(&mut events);
        }
        // All lines of this read answered in one write: a flood costs one write per read.
        let reply = auto_reply.and_then(|r| r.read().unwrap_or_else(|p| p.into_inner()).clone());
        match reply {
            Some(reply) if count == 1 => self.send(&reply),
            Some(reply) => self.send(&Arc::from(reply.repeat(count))),
            None => true,
        }
    }

    fn send(&self, bytes: &Arc<[u8]>) -> bool {
        let mut out = self.outbox.lock();
        if out.closed {
            return false;
        }
        if out.queue.is_empty() && !out.busy {
            // Nothing is ahead of us: write straight away, as much as the socket takes.
            match send_now(&self.stream, bytes) {
                Ok(n) if n == bytes.len() => return true,
                Ok(n) => {
                    out.written_of_first = n;
                }
                Err(_) => {
                    drop(out);
                    self.end(LeaveReason::Broken);
                    return false;
                }
            }
        } else if out.queued_bytes + bytes.len() > OUTBOX_LIMIT {
            drop(out);
            self.end(LeaveReason::NotReading);
            return false;
        }
        out.queued_bytes += bytes.len();
        out.queue.push_back(bytes.clone());
        drop(out);
        self.outbox.ready.notify_one();
        true
    }

    fn write_loop(&self) {
        loop {
            let mut out = self.outbox.lock();
            while out.queue.is_empty() && !out.closed {
                out = self
                    .outbox
                    .ready
                    .wait(out)
                    .unwrap_or_else(|p| p.into_inner());
            }
            if out.closed {
                return;
            }
            let Some(message) = out.queue.front().cloned() else {
                continue;
            };
            let from = std::mem::take(&mut out.written_of_first);
            out.busy = true;
            drop(out);
            let result = (&self.stream).write_all(&message[from..]);
            let mut out = self.outbox.lock();
            out.busy = false;
            if result.is_err() {
                drop(out);
                self.end(LeaveReason::Broken);
                return;
            }
            if !out.closed {
                out.queue.pop_front();
                out.queued_bytes -= message.len();
            }
        }
    }
}

impl Outbox {
    fn lock(&self) -> MutexGuard<'_, OutState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Keepalive probes find a peer that vanished without a word (cable pulled, Pi switched
/// off) in about a minute and a half while idle; the user timeout does the same while
/// data we sent goes unacknowledged. Either way the reader then sees an error.
pub const KEEPALIVE_IDLE: Duration = Duration::from_secs(60);
pub const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(10);
pub const KEEPALIVE_PROBES: u32 = 3;
pub const UNACKED_LIMIT: Duration = Duration::from_secs(90);

fn detect_vanished_peers(stream: &TcpStream) -> io::Result<()> {
    let socket = socket2::SockRef::from(stream);
    let keepalive = socket2::TcpKeepalive::new()
        .with_time(KEEPALIVE_IDLE)
        .with_interval(KEEPALIVE_INTERVAL)
        .with_retries(KEEPALIVE_PROBES);
    socket.set_tcp_keepalive(&keepalive)?;
    socket.set_tcp_user_timeout(Some(UNACKED_LIMIT))
}

/// Writes what the socket takes without waiting; 0 when its buffer is full.
fn send_now(stream: &TcpStream, bytes: &[u8]) -> io::Result<usize> {
    let socket = socket2::SockRef::from(stream);
    let mut sent = 0;
    while sent < bytes.len() {
        match socket.send_with_flags(&bytes[sent..], libc::MSG_DONTWAIT | libc::MSG_NOSIGNAL) {
            Ok(n) => sent += n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(sent)
}
