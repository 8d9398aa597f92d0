//! One TCP connection: a reader thread that turns the peer's bytes into lines (and answers
//! them with the auto-reply on the listener's side), and an outbox that writes without
//! ever making the caller wait, backed by a writer thread for what the socket cannot take
//! at once.
//!
//! A connection ends exactly once, by whoever gets there first: the reader (the peer
//! closed or reset), the outbox (the peer stopped reading), or [`Connection::close`]. The
//! one that ends it reports it, so every connection has one "Disconnect" line.

use super::event::{Event, LeaveReason, Side, Text, WireDir};
use super::framing::LineDecoder;
use super::priority::run_at_lowest_priority;
use super::sink::{EventSink, Room, Wakes};
use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, RwLock};
use std::thread;
use std::time::{Duration, Instant};

/// How long a peer must be quiet before bytes without a newline are shown as a message,
/// unless set otherwise ([`Shared::quiet`]).
pub const QUIET: Duration = Duration::from_millis(30);

/// How long what is owed to a peer that finished sending may take to go out.
pub const FINISH_LIMIT: Duration = Duration::from_secs(5);

/// How much may wait to be written to one peer before it counts as not reading.
pub const OUTBOX_LIMIT: usize = 256 * 1024;

/// Bytes read from the socket at once.
const READ_BUFFER: usize = 64 * 1024;

/// A read is turned into lines and queued this many bytes at a time, so that what a
/// reader holds while it waits for room stays small (a read of 64 KiB of bare newlines
/// would otherwise be 65,536 events in hand).
const DELIVER_SLICE: usize = 2 * 1024;

/// The most auto-reply bytes handed to the outbox at once.
const REPLY_CHUNK: usize = 16 * 1024;

/// Stack for the reader and writer threads: they hold no large locals.
const THREAD_STACK: usize = 256 * 1024;

/// The auto-reply, shared with every reader and changeable while they run.
pub type AutoReply = Arc<RwLock<Option<Arc<[u8]>>>>;

/// What the engine shares with every connection.
#[derive(Clone)]
pub struct Shared {
    pub sink: Arc<dyn EventSink>,
    pub peers: Arc<PeerCount>,
    /// The wire view: each read and each write the kernel took is reported too.
    pub wire: Arc<std::sync::atomic::AtomicBool>,
    /// How long a peer must be quiet before a partial line is shown ([`QUIET`]).
    pub quiet: Duration,
}

/// How many peers are connected, listener and client together, and how many times that
/// changed: a front end showing the list of peers reads it again only when it did.
#[derive(Debug, Default)]
pub struct PeerCount {
    now: AtomicUsize,
    changes: std::sync::atomic::AtomicU64,
}

impl PeerCount {
    pub fn now(&self) -> usize {
        self.now.load(Ordering::SeqCst)
    }

    /// Goes up each time a peer comes or goes.
    pub fn changes(&self) -> u64 {
        self.changes.load(Ordering::SeqCst)
    }

    /// Counts a change of the list of peers (a link made reachable).
    pub fn touch(&self) {
        self.changes.fetch_add(1, Ordering::SeqCst);
    }

    fn joined(&self) {
        self.now.fetch_add(1, Ordering::SeqCst);
        self.changes.fetch_add(1, Ordering::SeqCst);
    }

    fn left(&self) {
        self.now.fetch_sub(1, Ordering::SeqCst);
        self.changes.fetch_add(1, Ordering::SeqCst);
    }
}

/// Room mode: each line a peer of the listener sends goes on to every other peer of it,
/// as `(<ip> <port>) <text>`.
#[derive(Clone)]
pub struct Relay {
    /// Switched by the Relay box, for every peer, those connected included.
    pub on: Arc<std::sync::atomic::AtomicBool>,
    /// What ends each relayed line.
    pub ending: &'static [u8],
    /// Sends bytes to every peer of the listener but the one at the address given.
    pub to_others: ToOthers,
}

/// See [`Relay::to_others`].
pub type ToOthers = Arc<dyn Fn(SocketAddr, &Arc<[u8]>) + Send + Sync>;

/// Handed to a connection when it starts.
pub struct Setup {
    pub side: Side,
    /// The listener's number for this peer (`/peers`, `/kick N`); `None` for ours.
    pub number: Option<u64>,
    /// Sent after each line received; only the listener's peers get one.
    pub auto_reply: Option<AutoReply>,
    /// Called once when the connection ends, after its leave event was reported.
    pub on_end: Box<dyn FnOnce() + Send>,
    /// The event that reports the connection's end.
    pub leave_event: fn(SocketAddr, LeaveReason) -> Event,
    /// What the peer is told when it cannot be served (no thread for it); may be empty.
    pub refusal: &'static [u8],
    /// Room mode, for the listener's peers.
    pub relay: Option<Relay>,
}

/// A running connection. Dropping it does not close it; [`Connection::close`] does.
pub struct Connection {
    inner: Arc<Inner>,
}

struct Inner {
    stream: TcpStream,
    peer: SocketAddr,
    side: Side,
    number: Option<u64>,
    shared: Shared,
    /// Whether the connection has ended; whoever flips it reports the end. Lines are
    /// reported under this lock too, so none can follow the end's report.
    ended: Mutex<Option<Box<dyn FnOnce() + Send>>>,
    leave_event: fn(SocketAddr, LeaveReason) -> Event,
    outbox: Outbox,
    relay: Option<Relay>,
    /// Reads that returned bytes, and writes the kernel took (`/peers`).
    reads: std::sync::atomic::AtomicU64,
    writes: std::sync::atomic::AtomicU64,
    /// When the connection was up: seconds since local midnight.
    since: u32,
    /// Our end of it.
    local: Option<SocketAddr>,
    /// Set as the connection ends (with `ended` taken): read without a lock, so that the
    /// Qt thread never waits for a reader that holds `ended` while it reports lines.
    gone: std::sync::atomic::AtomicBool,
}

/// A connection as TCP has it (`/peers`, the Peers list): the kernel's view
/// (`TCP_INFO`) and our own counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcpDetails {
    /// The state as Linux names it: `ESTABLISHED`, `CLOSE_WAIT`, ...
    pub state: &'static str,
    /// The smoothed round-trip time, in microseconds.
    pub rtt_us: u32,
    /// Segments sent again in all.
    pub retransmitted: u32,
    /// Bytes the peer acknowledged, and bytes received from it.
    pub bytes_sent: u64,
    pub bytes_received: u64,
    /// Writes the kernel took, and reads that returned bytes.
    pub writes: u64,
    pub reads: u64,
    /// When it was up: seconds since local midnight.
    pub since: u32,
}

/// Linux's names of TCP's states (include/net/tcp_states.h), by number.
const TCP_STATES: [&str; 13] = [
    "?",
    "ESTABLISHED",
    "SYN_SENT",
    "SYN_RECV",
    "FIN_WAIT1",
    "FIN_WAIT2",
    "TIME_WAIT",
    "CLOSE",
    "CLOSE_WAIT",
    "LAST_ACK",
    "LISTEN",
    "CLOSING",
    "NEW_SYN_RECV",
];

#[derive(Default)]
struct Outbox {
    state: Mutex<OutState>,
    ready: Condvar,
    /// Signalled when the writer has written a message (or the connection ended), for a
    /// sender waiting for room ([`Link::wait_for_room`]).
    room: Condvar,
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
    /// Senders waiting on `room`: a notify costs a system call, so only when someone waits.
    room_waiters: usize,
}

impl Connection {
    /// Starts the reader and writer threads for `stream`. Once both are running,
    /// `announce` is called with the connection's link (to report the connection, and to
    /// make it reachable for sending) before either does anything, so the report comes
    /// before any line of the peer's. When a thread cannot be started
    /// (the system's thread limit), the stream is shut, nothing is reported, and the
    /// error is returned for the caller to report.
    pub fn start(
        stream: TcpStream,
        peer: SocketAddr,
        shared: Shared,
        setup: Setup,
        announce: impl FnOnce(Link),
    ) -> io::Result<Self> {
        stream.set_nodelay(true)?;
        detect_vanished_peers(&stream)?;
        let stream_local = stream.local_addr().ok();
        let inner = Arc::new(Inner {
            stream,
            peer,
            side: setup.side,
            number: setup.number,
            shared,
            ended: Mutex::new(Some(setup.on_end)),
            leave_event: setup.leave_event,
            outbox: Outbox::default(),
            relay: setup.relay,
            reads: 0.into(),
            writes: 0.into(),
            since: super::clock::seconds_of_day(&super::clock::now()),
            local: stream_local.map(super::address::canonical),
            gone: false.into(),
        });
        let gate = Arc::new(Gate::default());
        let spawn = |name: &str, run: Box<dyn FnOnce() + Send>| {
            let gate = gate.clone();
            thread::Builder::new()
                .name(name.into())
                .stack_size(THREAD_STACK)
                .spawn(move || {
                    if gate.wait() {
                        run();
                    }
                })
        };
        let reader = {
            let inner = inner.clone();
            let auto_reply = setup.auto_reply;
            spawn(
                "tcp-chat-reader",
                Box::new(move || inner.read_loop(auto_reply)),
            )
        };
        let writer = match reader {
            Ok(_) => {
                let inner = inner.clone();
                spawn("tcp-chat-writer", Box::new(move || inner.write_loop()))
            }
            Err(e) => Err(e),
        };
        // The threads are not joined: each ends on its own once the connection has ended.
        if let Err(e) = writer {
            gate.open(false);
            tell(&inner.stream, setup.refusal);
            let _ = inner.stream.shutdown(Shutdown::Both);
            return Err(e);
        }
        inner.shared.peers.joined();
        announce(Link(inner.clone()));
        gate.open(true);
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
        self.inner.is_gone()
    }

    /// Whether the peer still holds this connection: not ended here, and not closed by
    /// the peer (Linux's `CLOSE_WAIT`: its FIN came, and the reader has not yet got to
    /// it, as when the machine is busy).
    pub fn is_held(&self) -> bool {
        !self.is_ended() && !peer_has_closed(&self.inner.stream)
    }
}

/// Whether the peer's FIN has arrived on `stream` (TCP's `CLOSE_WAIT`), asked of the
/// kernel (`TCP_INFO`) without reading anything.
fn peer_has_closed(stream: &TcpStream) -> bool {
    tcp_info(stream)
        .is_some_and(|info| TCP_STATES.get(usize::from(info.tcpi_state)) == Some(&"CLOSE_WAIT"))
}

/// What the kernel says of `stream`'s connection (`TCP_INFO`); `None` where it cannot.
fn tcp_info(stream: &TcpStream) -> Option<libc::tcp_info> {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: tcp_info is plain data; getsockopt writes at most `len` bytes of it
        // (an older kernel fewer: the rest stays zero).
        let mut info: libc::tcp_info = unsafe { std::mem::zeroed() };
        let mut len = std::mem::size_of::<libc::tcp_info>() as libc::socklen_t;
        let asked = unsafe {
            libc::getsockopt(
                stream.as_raw_fd(),
                libc::IPPROTO_TCP,
                libc::TCP_INFO,
                std::ptr::addr_of_mut!(info).cast(),
                &mut len,
            )
        };
        (asked == 0).then_some(info)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = stream;
        None
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

    /// Ends the connection with RST (no FIN before it), and reports it.
    pub fn reset(&self) {
        self.0.reset();
    }

    /// The peer's address.
    pub fn peer(&self) -> SocketAddr {
        self.0.peer
    }

    /// Ours of the connection (an outgoing one's port is the one the system chose).
    pub fn local(&self) -> Option<SocketAddr> {
        self.0.local
    }

    /// The listener's number for this peer; `None` for the connection we made.
    pub fn number(&self) -> Option<u64> {
        self.0.number
    }

    pub fn side(&self) -> Side {
        self.0.side
    }

    /// Whether the connection has ended (closed by either side, or lost).
    pub fn is_ended(&self) -> bool {
        self.0.is_gone()
    }

    /// The connection as TCP has it now: a system call, so not for the Qt thread.
    pub fn tcp(&self) -> Option<TcpDetails> {
        let inner = &self.0;
        let info = tcp_info(&inner.stream)?;
        Some(TcpDetails {
            state: TCP_STATES
                .get(usize::from(info.tcpi_state))
                .copied()
                .unwrap_or("?"),
            rtt_us: info.tcpi_rtt,
            retransmitted: info.tcpi_total_retrans,
            bytes_sent: info.tcpi_bytes_acked,
            bytes_received: info.tcpi_bytes_received,
            writes: inner.writes.load(Ordering::Relaxed),
            reads: inner.reads.load(Ordering::Relaxed),
            since: inner.since,
        })
    }

    /// Waits until a message of `len` bytes can be sent without counting the peer as not
    /// reading: the outbox has room for it, or is empty. For senders that have more to
    /// say than the outbox holds (a file piped in): they go at the peer's pace. A peer
    /// that reads nothing at all is found by the connection's keepalive and user timeout
    /// (about 90 s), and the wait ends with the connection. Returns false once it ended.
    pub fn wait_for_room(&self, len: usize) -> bool {
        let outbox = &self.0.outbox;
        let mut out = outbox.lock();
        while !out.closed && !out.queue.is_empty() && out.queued_bytes + len > OUTBOX_LIMIT {
            out.room_waiters += 1;
            out = outbox.room.wait(out).unwrap_or_else(|p| p.into_inner());
            out.room_waiters -= 1;
        }
        !out.closed
    }

    /// Waits until everything sent so far was handed to the system (which then delivers
    /// it even if we close). Returns false once the connection ended.
    pub fn wait_until_written(&self) -> bool {
        let outbox = &self.0.outbox;
        let mut out = outbox.lock();
        while !out.closed && !out.queue.is_empty() {
            out.room_waiters += 1;
            out = outbox.room.wait(out).unwrap_or_else(|p| p.into_inner());
            out.room_waiters -= 1;
        }
        !out.closed
    }
}

impl Inner {
    fn lock_ended(&self) -> MutexGuard<'_, Option<Box<dyn FnOnce() + Send>>> {
        self.ended.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Ends the connection if nobody has yet: reports it, shuts the socket (which wakes
    /// the reader and any blocked write) and stops the writer.
    fn is_gone(&self) -> bool {
        self.gone.load(Ordering::SeqCst)
    }

    /// Takes `on_end` (with the lock held): from here on the connection has ended.
    fn take_end(
        &self,
        ended: &mut MutexGuard<'_, Option<Box<dyn FnOnce() + Send>>>,
    ) -> Option<Box<dyn FnOnce() + Send>> {
        let on_end = ended.take()?;
        self.gone.store(true, Ordering::SeqCst);
        Some(on_end)
    }

    fn end(&self, reason: LeaveReason) {
        // Taking `on_end` under the lock is what ends the connection: from here on no line
        // of it is reported, so its leave event is the last thing said of it.
        let Some(on_end) = self.take_end(&mut self.lock_ended()) else {
            return;
        };
        // Both ways: the peer gets our FIN, the reader and a blocked write wake.
        self.ended_by(on_end, reason, Shutdown::Both);
    }

    /// What ending does once `on_end` is taken: the socket shut `how`, the outbox closed,
    /// the counts and tables updated, then the leave reported.
    fn ended_by(&self, on_end: Box<dyn FnOnce() + Send>, reason: LeaveReason, how: Shutdown) {
        let _ = self.stream.shutdown(how);
        {
            let mut out = self.outbox.lock();
            out.closed = true;
            out.queue.clear();
            out.queued_bytes = 0;
        }
        self.outbox.ready.notify_all();
        self.outbox.room.notify_all();
        // Counts and tables first, so that whoever reads the event sees them updated.
        self.shared.peers.left();
        on_end();
        self.shared.sink.emit((self.leave_event)(self.peer, reason));
    }

    fn read_loop(&self, auto_reply: Option<AutoReply>) {
        let mut step_down = StepDown::new(Instant::now());
        let mut buf = vec![0u8; READ_BUFFER];
        let mut decoder = LineDecoder::new();
        let mut lines: Vec<Event> = Vec::new();
        let mut timeout_on = false;
        // Whether any line of the peer's was answered: at its FIN, the log says that
        // what it is owed still goes out.
        let mut answered_any = false;
        let reason = loop {
            // Wait for the newline with no timeout; with a partial line, only for QUIET.
            if decoder.has_partial() != timeout_on {
                timeout_on = !timeout_on;
                let _ = self
                    .stream
                    .set_read_timeout(timeout_on.then_some(self.shared.quiet));
            }
            let mut answered = 0;
            match (&self.stream).read(&mut buf) {
                Ok(0) => {
                    // The peer finished sending. Its last lines are answered, and what
                    // we owe it still goes out before we close (a half-close: `nc -N`).
                    decoder.finish(|l| lines.push(self.received(l)));
                    if let Some(count) = self.deliver(&mut lines) {
                        answered += count;
                    }
                    let owed =
                        (answered_any || answered > 0) && auto_reply_set(auto_reply.as_ref());
                    if answered > 0 {
                        self.answer(answered, auto_reply.as_ref());
                    }
                    self.finish_sending(owed);
                    break LeaveReason::Closed;
                }
                Ok(n) => {
                    self.reads.fetch_add(1, Ordering::Relaxed);
                    if step_down.read(n, Instant::now()) {
                        run_at_lowest_priority();
                    }
                    // The read as it came, before the lines it completed.
                    if self.wire_on() {
                        lines.push(Event::wire(WireDir::In, self.peer, &buf[..n]));
                    }
                    let mut slices = buf[..n].chunks(DELIVER_SLICE).peekable();
                    while let Some(slice) = slices.next() {
                        decoder.push(slice, |l| lines.push(self.received(l)));
                        if slices.peek().is_some() {
                            match self.deliver(&mut lines) {
                                Some(count) => answered += count,
                                None => return,
                            }
                            continue;
                        }
                        // The read's last slice: its lines are queued, then all the read's
                        // lines are answered, and only then are the window and the
                        // transcript woken, so that they do not take the CPU from this
                        // reader (at the lowest priority) while its peer waits.
                        let Some((count, wakes)) = self.deliver_quietly(&mut lines) else {
                            return;
                        };
                        answered += count;
                        answered_any |= answered > 0;
                        let sent = self.answer(std::mem::take(&mut answered), auto_reply.as_ref());
                        self.shared.sink.wake(wakes);
                        if !sent {
                            return;
                        }
                    }
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    decoder.flush_partial(|l| lines.push(self.received(l)));
                    match self.deliver(&mut lines) {
                        Some(count) => answered += count,
                        None => return,
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    decoder.finish(|l| lines.push(self.received(l)));
                    self.deliver(&mut lines);
                    break if e.kind() == io::ErrorKind::ConnectionReset {
                        LeaveReason::ResetByPeer
                    } else {
                        LeaveReason::Broken
                    };
                }
            }
            answered_any |= answered > 0;
            if !self.answer(answered, auto_reply.as_ref()) {
                return;
            }
        };
        self.end(reason);
    }

    /// The event for a line received.
    fn received(&self, text: Text) -> Event {
        Event::Received {
            side: self.side,
            peer: self.peer,
            text,
            show_peer: self.shared.peers.now() > 1,
            cut: 0,
        }
    }

    /// Reports `lines` once the sink has room for them. Returns how many, or `None` when
    /// the connection has ended meanwhile (the lines are then dropped, as Close asked).
    fn deliver(&self, lines: &mut Vec<Event>) -> Option<usize> {
        let (count, wakes) = self.deliver_quietly(lines)?;
        self.shared.sink.wake(wakes);
        Some(count)
    }

    /// As [`Inner::deliver`], but those the lines should wake are left to wake with the
    /// [`Wakes`] returned.
    fn deliver_quietly(&self, lines: &mut Vec<Event>) -> Option<(usize, Wakes)> {
        if lines.is_empty() {
            return Some((0, Wakes::default()));
        }
        let room = Room::of(lines);
        if !self.shared.sink.reserve(room) {
            lines.clear();
            return None;
        }
        // Under the lock that ending takes, so that no line is reported after the end.
        let ended = self.lock_ended();
        if ended.is_none() {
            drop(ended);
            self.shared.sink.release(room);
            lines.clear();
            return None;
        }
        let count = lines
            .iter()
            .filter(|e| matches!(e, Event::Received { .. }))
            .count();
        let relayed = self
            .relay
            .as_ref()
            .filter(|r| r.on.load(Ordering::Relaxed))
            .map(|r| relayed_lines(self.peer, lines, r.ending));
        let wakes = self.shared.sink.emit_reserved_quietly(lines, room);
        drop(ended);
        // The others get the lines once they are in our log: a slow one is dropped by its
        // own outbox's bound and holds nobody up. A peer kicked or blocked meanwhile
        // reaches nobody any more.
        if let (Some(relay), Some(bytes)) = (&self.relay, relayed) {
            if self.lock_ended().is_some() {
                (relay.to_others)(self.peer, &bytes);
            }
        }
        Some((count, wakes))
    }

    /// Answers `count` lines with the auto-reply, after they were reported: a peer that
    /// connects after our answer reached this one never has its lines shown first. All
    /// the lines of a read are answered at once (a flood costs a write per read, not per
    /// line), in pieces, so that the outbox's bound holds however many lines came.
    fn answer(&self, count: usize, auto_reply: Option<&AutoReply>) -> bool {
        if count == 0 {
            return true;
        }
        let Some(reply) =
            auto_reply.and_then(|r| r.read().unwrap_or_else(|p| p.into_inner()).clone())
        else {
            return true;
        };
        if count == 1 {
            return self.send(&reply);
        }
        let per_chunk = (REPLY_CHUNK / reply.len().max(1)).max(1);
        let mut left = count;
        while left > 0 {
            let n = left.min(per_chunk);
            if !self.send(&Arc::from(reply.repeat(n))) {
                return false;
            }
            left -= n;
        }
        true
    }

    fn send(&self, bytes: &Arc<[u8]>) -> bool {
        let mut out = self.outbox.lock();
        if out.closed {
            return false;
        }
        if out.queue.is_empty() && !out.busy {
            // Nothing is ahead of us: write straight away, as much as the socket takes.
            match send_now(&self.stream, bytes, |taken| self.wrote(taken)) {
                Ok(n) if n == bytes.len() => return true,
                Ok(n) if bytes.len() - n > OUTBOX_LIMIT => {
                    drop(out);
                    self.end(LeaveReason::NotReading);
                    return false;
                }
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

    /// After the peer's FIN: what is still queued for it is written (at most
    /// [`FINISH_LIMIT`]), so that a peer that half-closed gets its answer before we close.
    /// The log says so when something was still queued, or, with the wire view on, when
    /// its lines were answered.
    fn finish_sending(&self, answered: bool) {
        // Ended here (Close, /kick): the read of 0 was our own shutdown, not its FIN.
        if self.is_gone() {
            return;
        }
        let pending = {
            let out = self.outbox.lock();
            !out.closed && (!out.queue.is_empty() || out.busy)
        };
        // Said when something is still going out, or when the wire view shows TCP at
        // work (then every FIN after an answer is said).
        let said = pending || (answered && self.wire_on());
        if !said {
            return;
        }
        self.shared
            .sink
            .emit(Event::PeerFinished { peer: self.peer });
        let deadline = std::time::Instant::now() + FINISH_LIMIT;
        let mut out = self.outbox.lock();
        while !out.closed && (!out.queue.is_empty() || out.busy) {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return;
            }
            out.room_waiters += 1;
            out = self
                .outbox
                .room
                .wait_timeout(out, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
            out.room_waiters -= 1;
        }
    }

    /// Ends the connection with RST instead of FIN: SO_LINGER 0 first, then the
    /// connection is dropped at once (a `connect` to no address: the kernel resets it),
    /// before anything else can send a FIN.
    fn reset(&self) {
        let on_end = {
            let mut ended = self.lock_ended();
            // Taken with the RST under one lock: the reader, woken by it, finds the
            // connection ended and cannot report it as reset by the peer.
            let Some(on_end) = self.take_end(&mut ended) else {
                return;
            };
            let socket = socket2::SockRef::from(&self.stream);
            let _ = socket.set_linger(Some(Duration::ZERO));
            #[cfg(target_os = "linux")]
            {
                use std::os::fd::AsRawFd;
                // SAFETY: a sockaddr of family AF_UNSPEC, fully zeroed, with its size.
                let unspec: libc::sockaddr = unsafe { std::mem::zeroed() };
                unsafe {
                    libc::connect(
                        self.stream.as_raw_fd(),
                        &unspec,
                        std::mem::size_of::<libc::sockaddr>() as libc::socklen_t,
                    );
                }
            }
            on_end
        };
        // Reading only: shutting the sending side would send a FIN. Where the kernel
        // did not drop the connection above, the RST goes when the socket closes (its
        // threads end, woken by this), with SO_LINGER 0.
        self.ended_by(on_end, LeaveReason::ResetByUs, Shutdown::Read);
    }

    fn wire_on(&self) -> bool {
        self.shared.wire.load(Ordering::Relaxed)
    }

    /// The wire view's report of a write the kernel took (and its count).
    fn wrote(&self, taken: &[u8]) {
        self.writes.fetch_add(1, Ordering::Relaxed);
        if self.wire_on() {
            self.shared
                .sink
                .emit(Event::wire(WireDir::Out, self.peer, taken));
        }
    }

    /// Writes all of `bytes`, waiting for the socket, each write the kernel took reported.
    fn write_all(&self, mut bytes: &[u8]) -> io::Result<()> {
        while !bytes.is_empty() {
            match (&self.stream).write(bytes) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => {
                    self.wrote(&bytes[..n]);
                    bytes = &bytes[n..];
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
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
            let result = self.write_all(&message[from..]);
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
                if out.room_waiters > 0 {
                    self.outbox.room.notify_all();
                }
            }
        }
    }
}

/// Whether an auto-reply is set (lines received are answered).
fn auto_reply_set(auto_reply: Option<&AutoReply>) -> bool {
    auto_reply.is_some_and(|r| r.read().unwrap_or_else(|p| p.into_inner()).is_some())
}

/// The lines of `events` as room mode passes them on: `(<ip> <port>) <text>` each.
fn relayed_lines(from: SocketAddr, events: &[Event], ending: &[u8]) -> Arc<[u8]> {
    let who = format!("({}) ", super::event::ip_port(&from));
    let mut bytes = Vec::new();
    for event in events {
        if let Event::Received { text, .. } = event {
            bytes.extend_from_slice(who.as_bytes());
            bytes.extend_from_slice(text.as_bytes());
            bytes.extend_from_slice(ending);
        }
    }
    bytes.into()
}

/// Holds a connection's threads until both exist: `open(true)` lets them run,
/// `open(false)` sends them home (the other could not be started).
#[derive(Default)]
struct Gate {
    state: Mutex<Option<bool>>,
    opened: Condvar,
}

impl Gate {
    fn wait(&self) -> bool {
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let state = self
            .opened
            .wait_while(state, |s| s.is_none())
            .unwrap_or_else(|p| p.into_inner());
        state.unwrap_or(false)
    }

    fn open(&self, go: bool) {
        *self.state.lock().unwrap_or_else(|p| p.into_inner()) = Some(go);
        self.opened.notify_all();
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

/// Reads in a second after which a reader steps down to the lowest CPU priority.
const BUSY_READS: u32 = 500;
/// Bytes in a second after which a reader steps down to the lowest CPU priority.
const BUSY_BYTES: usize = 256 * 1024;

/// When a reader steps down to the lowest CPU priority ([`run_at_lowest_priority`]): once
/// it has read more than [`BUSY_READS`] times or [`BUSY_BYTES`] bytes within a second.
/// A person, or a script sending 100 lines a second, keeps the window's priority, so that
/// its line is read as soon as it comes even while the window draws (at the lowest
/// priority a reader woken on the Qt thread's CPU waited for it: a quarter of the lines
/// into a window took 1 to 4 ms instead of 0.3). A flood, or a request/reply loop as fast
/// as it can go, steps down within its first second, for good: a thread cannot raise its
/// priority again without rights.
struct StepDown {
    since: Instant,
    reads: u32,
    bytes: usize,
    done: bool,
}

impl StepDown {
    fn new(now: Instant) -> Self {
        Self {
            since: now,
            reads: 0,
            bytes: 0,
            done: false,
        }
    }

    /// Counts a read of `n` bytes at `now`; true when the reader is to step down now.
    fn read(&mut self, n: usize, now: Instant) -> bool {
        if self.done {
            return false;
        }
        if now.duration_since(self.since) >= Duration::from_secs(1) {
            *self = Self::new(now);
        }
        self.reads += 1;
        self.bytes += n;
        self.done = self.reads > BUSY_READS || self.bytes > BUSY_BYTES;
        self.done
    }
}

/// Tells a peer we are turning away why, if its socket takes it at once.
pub fn tell(stream: &TcpStream, message: &[u8]) {
    if !message.is_empty() {
        let _ = send_now(stream, message, |_| {});
    }
}

/// Writes what the socket takes without waiting; 0 when its buffer is full. Each write
/// the kernel took is handed to `took`.
fn send_now(stream: &TcpStream, bytes: &[u8], took: impl Fn(&[u8])) -> io::Result<usize> {
    let socket = socket2::SockRef::from(stream);
    let mut sent = 0;
    while sent < bytes.len() {
        match socket.send_with_flags(&bytes[sent..], libc::MSG_DONTWAIT | libc::MSG_NOSIGNAL) {
            Ok(n) => {
                took(&bytes[sent..sent + n]);
                sent += n;
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chatting_reader_keeps_its_priority_and_a_flooding_one_steps_down_once() {
        let start = Instant::now();
        let at = |ms: u64| start + Duration::from_millis(ms);
        // 100 short lines a second for 10 s: never.
        let mut chat = StepDown::new(start);
        assert!((0..1000).all(|i| !chat.read(20, at(i * 10))));
        // 64 KiB reads: the fifth in a second steps down, and nothing after it again.
        let mut flood = StepDown::new(start);
        let steps: Vec<bool> = (0..10).map(|i| flood.read(64 * 1024, at(i))).collect();
        assert_eq!(steps.iter().filter(|&&s| s).count(), 1);
        assert!(steps[4]);
        // Short lines as fast as they go (request/reply): the 501st read in a second.
        let mut fast = StepDown::new(start);
        let first = (0..1000u64).position(|i| fast.read(12, start + Duration::from_micros(i * 30)));
        assert_eq!(first, Some(BUSY_READS as usize));
    }
}
