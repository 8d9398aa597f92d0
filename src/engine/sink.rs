//! Where the engine's events go: a sink, and the queue that batches them for one
//! consumer thread (the Qt thread in the app, the test in tests).
//!
//! Memory stays bounded whatever peers send. Received lines need room before they are
//! queued: a reader [reserves](EventSink::reserve) room for what it holds (waiting while
//! the queue is full, which slows a flooding peer down through TCP), then queues under
//! that reservation. The bound holds across every reader together, because a reservation
//! counts against the queue as soon as it is granted. Control events (connected, errors,
//! lines a person sent) are never held back; peers cannot make them pile up, because an
//! incoming connection reserves room for its report too.
//!
//! The queue also feeds the transcript (`--transcript`), in the same order as the
//! consumer sees the events; a transcript that falls behind (a slow disk) holds readers
//! back in the same way.

use super::event::Event;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How much room some received lines need: how many events, how many bytes of text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Room {
    pub events: usize,
    pub bytes: usize,
}

impl Room {
    /// Less `room` (never below nothing): room used or given back.
    fn give_back(&mut self, room: Room) {
        self.events = self.events.saturating_sub(room.events);
        self.bytes = self.bytes.saturating_sub(room.bytes);
    }

    /// The room `events` take.
    pub fn of(events: &[Event]) -> Self {
        Self {
            events: events.len(),
            bytes: events.iter().map(Event::text_len).sum(),
        }
    }
}

/// Receives the engine's events.
pub trait EventSink: Send + Sync {
    /// Reports events at once, in order, without waiting; `events` is left empty.
    fn emit_all(&self, events: &mut Vec<Event>);

    fn emit(&self, event: Event) {
        self.emit_all(&mut vec![event]);
    }

    /// Waits until the consumer has `room` for more, and holds it for
    /// [`EventSink::emit_reserved`] (or gives it back with [`EventSink::release`]).
    /// Returns false, reserving nothing, when the sink is closed for good.
    fn reserve(&self, room: Room) -> bool {
        let _ = room;
        true
    }

    /// Reports `events` in the room reserved for them; never waits.
    fn emit_reserved(&self, events: &mut Vec<Event>, room: Room) {
        let wakes = self.emit_reserved_quietly(events, room);
        self.wake(wakes);
    }

    /// As [`EventSink::emit_reserved`]: the events are queued, in order, but whoever they
    /// should wake is woken only when the returned [`Wakes`] are handed to
    /// [`EventSink::wake`]. A reader answers its peer in between: the threads a line wakes
    /// (the window's, the transcript's) would otherwise take the CPU from the reader,
    /// which runs at the lowest priority, before its answer went out.
    fn emit_reserved_quietly(&self, events: &mut Vec<Event>, room: Room) -> Wakes {
        let _ = room;
        self.emit_all(events);
        Wakes::default()
    }

    /// Wakes whoever a quiet report left waiting.
    fn wake(&self, wakes: Wakes) {
        let _ = wakes;
    }

    /// Gives back room reserved and not used.
    fn release(&self, room: Room) {
        let _ = room;
    }
}

/// How many events may wait for the consumer (reserved ones included).
pub const DEFAULT_QUEUE_CAPACITY: usize = 64 * 1024;

/// How much received text may wait for the consumer (reserved included), so that peers
/// sending 64 KiB pieces cannot fill memory with a few thousand events.
pub const QUEUE_TEXT_LIMIT: usize = 4 * 1024 * 1024;

/// How many bytes of log lines may wait for the transcript's writer before readers are
/// held back: a slow disk slows the peers down instead of filling memory.
pub const TRANSCRIPT_BACKLOG: usize = 2 * 1024 * 1024;

/// The least time between two batches taken by the transcript's writer while lines keep
/// coming, unless half of [`TRANSCRIPT_BACKLOG`] waits: a request/reply peer, a line every
/// 30 µs, would otherwise wake the writer, and cost a write to the disk, for every line,
/// on the CPU its reader and its peer need. A line that comes after a quiet spell is
/// written at once; none waits longer than this.
pub const TRANSCRIPT_PACE: Duration = Duration::from_millis(20);

/// A batching queue: events pile up until the consumer drains them all at once, and
/// `wake` is called only when events wait and the consumer has not been told yet, so a
/// flood of lines costs one wake-up per batch, not one per line. A paced queue (see
/// [`EventQueue::paced`]) also leaves at least an interval between wake-ups, so that a
/// busy peer costs the consumer (the Qt thread) a bounded number of calls a second.
pub struct EventQueue {
    state: Mutex<QueueState>,
    /// Signalled when room is freed, for readers waiting for it. Apart from `ready` so
    /// that queuing a line does not wake every reader held back (64 of them, with 64
    /// peers flooding, who would then crowd the consumer out of the lock).
    room: Condvar,
    /// Signalled when events or transcript lines are queued, for a consumer or the
    /// transcript's writer waiting for them.
    ready: Condvar,
    /// Signalled for the pacer thread, when it is parked.
    pacer: Condvar,
    capacity: usize,
    /// The least time between two wake-ups; `None` wakes at once, from the producer.
    pacing: Option<Duration>,
    /// A transcript takes the log lines (read without the lock, to format them outside it).
    transcript_on: AtomicBool,
    wake: Box<dyn Fn() + Send + Sync>,
}

#[derive(Default)]
struct QueueState {
    events: Vec<Event>,
    /// Bytes of received text in `events`.
    text_bytes: usize,
    /// Room granted to readers and not yet used or given back.
    reserved: Room,
    /// Log lines waiting for the transcript's writer, when there is a transcript.
    transcript: Option<Backlog>,
    /// The consumer was told and has not drained since.
    woken: bool,
    /// The consumer is gone: events are dropped, waiting readers are let go.
    closed: bool,
    /// Threads waiting on `room` and on `ready`: a notify costs a system call, so only
    /// when someone waits.
    room_waiters: usize,
    ready_waiters: usize,
    /// The pacer thread waits on `pacer` for events.
    pacer_parked: bool,
    /// When a paced queue last woke its consumer (from the pacer or a producer).
    last_wake: Option<Instant>,
    /// The transcript's writer waits out its pace (on `ready`, not counted in
    /// `ready_waiters`: a line queued meanwhile does not wake it).
    writer_paced: bool,
}

/// A line for the transcript: the event and the time it was reported (the lines reported
/// together share one clock reading). Its words and its time are made by the transcript's
/// writer, not by the reader that reported it: a reader formatting each line of a flood
/// was the transcript's bottleneck (three quarters of the reader's time in a profile).
#[derive(Debug, Clone, PartialEq)]
pub struct TranscriptLine {
    pub at: std::time::SystemTime,
    pub event: Event,
}

impl TranscriptLine {
    /// What it counts for in the writer's backlog: its text, and room for the time and
    /// the words around it.
    pub fn backlog_len(&self) -> usize {
        self.event.text_len() + 64
    }
}

/// How long the transcript's writer waits before it takes lines that wait (`bytes` of
/// backlog), having last taken some at `taken`: the rest of [`TRANSCRIPT_PACE`], or
/// nothing after a quiet spell, with half the backlog waiting, or once the queue closed.
fn writer_pace(
    taken: Option<Instant>,
    bytes: usize,
    closed: bool,
    now: Instant,
) -> Option<Duration> {
    let since = taken.map_or(TRANSCRIPT_PACE, |t| now.saturating_duration_since(t));
    (since < TRANSCRIPT_PACE && bytes < TRANSCRIPT_BACKLOG / 2 && !closed)
        .then(|| TRANSCRIPT_PACE - since)
}

/// Whom a quiet report ([`EventSink::emit_reserved_quietly`]) left to wake.
#[must_use = "the window and the transcript are never told of the events unless woken"]
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Wakes {
    /// A consumer or the transcript's writer waits for events.
    ready: bool,
    /// The pacer thread is parked.
    pacer: bool,
    /// The consumer is to be told at once (an unpaced queue).
    consumer: bool,
}

/// Which waiters to wake.
#[derive(Clone, Copy)]
enum Wake {
    /// Readers waiting for room.
    Room,
    /// A consumer or the transcript's writer waiting for something to take.
    Ready,
}

#[derive(Default)]
struct Backlog {
    lines: Vec<TranscriptLine>,
    bytes: usize,
    /// When the writer last took lines.
    taken: Option<Instant>,
}

impl EventQueue {
    /// A queue that calls `wake` (from the producing thread) when events wait and the
    /// consumer was not yet told.
    pub fn new(capacity: usize, wake: impl Fn() + Send + Sync + 'static) -> Self {
        Self::build(capacity, None, Box::new(wake))
    }

    /// A queue that wakes its consumer at most once per `interval`: from the producer
    /// when the last wake-up is that old (and the producer is not at the lowest
    /// priority), else from a thread of its own. The thread ends when the queue is closed.
    pub fn paced(
        capacity: usize,
        interval: Duration,
        wake: impl Fn() + Send + Sync + 'static,
    ) -> std::io::Result<Arc<Self>> {
        let queue = Arc::new(Self::build(capacity, Some(interval), Box::new(wake)));
        let pacer = queue.clone();
        std::thread::Builder::new()
            .name("tcp-chat-pacer".into())
            .stack_size(64 * 1024)
            .spawn(move || pacer.pace(interval))?;
        Ok(queue)
    }

    fn build(capacity: usize, pacing: Option<Duration>, wake: Box<dyn Fn() + Send + Sync>) -> Self {
        Self {
            state: Mutex::new(QueueState::default()),
            room: Condvar::new(),
            ready: Condvar::new(),
            pacer: Condvar::new(),
            capacity: capacity.max(1),
            pacing,
            transcript_on: AtomicBool::new(false),
            wake,
        }
    }

    /// Takes every waiting event, oldest first.
    pub fn drain(&self) -> Vec<Event> {
        self.take(self.lock())
    }

    /// Like [`EventQueue::drain`], but `None` instead of waiting while a reader holds the
    /// queue. For the Qt thread: readers run at the lowest priority, and one that the
    /// scheduler sets aside while it holds the queue would hold the window up with it
    /// (for 50-100 ms with 64 peers flooding). The caller tries again a moment later.
    pub fn try_drain(&self) -> Option<Vec<Event>> {
        let mut events = Vec::new();
        self.try_drain_into(&mut events).then_some(events)
    }

    /// Like [`EventQueue::try_drain`], into `spare`, which must be empty: the queue keeps
    /// `spare`'s room for the next events instead, so that a consumer handing back the
    /// same two lists costs no allocation a batch (a flood's readers grew a new list under
    /// the queue's lock each time). False, taking nothing, while a reader holds the queue.
    pub fn try_drain_into(&self, spare: &mut Vec<Event>) -> bool {
        debug_assert!(spare.is_empty());
        // A few tries: a reader holds the queue for microseconds unless it was set aside.
        for _ in 0..64 {
            let state = match self.state.try_lock() {
                Ok(state) => state,
                Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
                Err(std::sync::TryLockError::WouldBlock) => {
                    std::hint::spin_loop();
                    continue;
                }
            };
            self.take_into(state, spare);
            return true;
        }
        false
    }

    fn take(&self, state: MutexGuard<'_, QueueState>) -> Vec<Event> {
        let mut events = Vec::new();
        self.take_into(state, &mut events);
        events
    }

    fn take_into(&self, mut state: MutexGuard<'_, QueueState>, spare: &mut Vec<Event>) {
        state.woken = false;
        state.text_bytes = 0;
        spare.clear();
        std::mem::swap(&mut state.events, spare);
        self.notify(state, Wake::Room);
    }

    /// Waits until at least one event is queued or `timeout` passes, then drains.
    /// For consumers that are not an event loop (tests, benchmarks).
    pub fn wait_drain(&self, timeout: Duration) -> Vec<Event> {
        let deadline = Instant::now() + timeout;
        let mut state = self.lock();
        while state.events.is_empty() && !state.closed {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            state = self.wait(state, Wake::Ready, Some(left));
        }
        drop(state);
        self.drain()
    }

    /// The consumer is going away: drop what is queued and let every waiting reader (and
    /// the pacer) go. What the transcript has not written yet is still handed to it.
    pub fn close(&self) {
        let mut state = self.lock();
        state.closed = true;
        state.events.clear();
        state.text_bytes = 0;
        drop(state);
        self.room.notify_all();
        self.ready.notify_all();
        self.pacer.notify_all();
    }

    /// Queues `event` for the consumer only, not for the transcript: for what the
    /// transcript's writer says of itself and writes itself.
    pub fn emit_untranscribed(&self, event: Event) {
        let state = self.lock();
        if !state.closed {
            self.push(state, &mut vec![event], None);
        }
    }

    /// From now on every event's log line also goes to the transcript's writer, which
    /// takes them with [`EventQueue::transcript_lines`].
    pub fn start_transcript(&self) {
        self.lock().transcript = Some(Backlog::default());
        self.transcript_on.store(true, Ordering::SeqCst);
    }

    /// No more transcript (its file cannot be written): readers no longer wait for it.
    pub fn stop_transcript(&self) {
        self.transcript_on.store(false, Ordering::SeqCst);
        let mut state = self.lock();
        state.transcript = None;
        let ready = state.ready_waiters > 0 || state.writer_paced;
        self.notify(state, Wake::Room);
        if ready {
            self.ready.notify_all(); // the writer, if it waits, sees there is none
        }
    }

    /// For the transcript's writer: waits for log lines and takes them all, oldest first.
    /// `None` once the queue is closed and every line was taken, or the transcript stopped.
    pub fn transcript_lines(&self) -> Option<Vec<TranscriptLine>> {
        let mut state = self.lock();
        loop {
            let closed = state.closed;
            let backlog = state.transcript.as_mut()?;
            if !backlog.lines.is_empty() {
                if let Some(rest) =
                    writer_pace(backlog.taken, backlog.bytes, closed, Instant::now())
                {
                    state.writer_paced = true;
                    state = match self.ready.wait_timeout(state, rest) {
                        Ok((s, _)) => s,
                        Err(p) => p.into_inner().0,
                    };
                    state.writer_paced = false;
                    continue;
                }
                backlog.taken = Some(Instant::now());
                backlog.bytes = 0;
                let lines = std::mem::take(&mut backlog.lines);
                self.notify(state, Wake::Room);
                return Some(lines);
            }
            if state.closed {
                return None;
            }
            state = self.wait(state, Wake::Ready, None);
        }
    }

    fn lock(&self) -> MutexGuard<'_, QueueState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits on `on` (with the count of its waiters kept), at most `timeout`.
    fn wait<'a>(
        &self,
        mut state: MutexGuard<'a, QueueState>,
        on: Wake,
        timeout: Option<Duration>,
    ) -> MutexGuard<'a, QueueState> {
        let condvar = match on {
            Wake::Room => {
                state.room_waiters += 1;
                &self.room
            }
            Wake::Ready => {
                state.ready_waiters += 1;
                &self.ready
            }
        };
        let mut state = match timeout {
            Some(t) => match condvar.wait_timeout(state, t) {
                Ok((s, _)) => s,
                Err(p) => p.into_inner().0,
            },
            None => condvar.wait(state).unwrap_or_else(|p| p.into_inner()),
        };
        match on {
            Wake::Room => state.room_waiters -= 1,
            Wake::Ready => state.ready_waiters -= 1,
        }
        state
    }

    /// Unlocks, then wakes whoever waits on `which`, if anyone does.
    fn notify(&self, state: MutexGuard<'_, QueueState>, which: Wake) {
        let (waiting, condvar) = match which {
            Wake::Room => (state.room_waiters > 0, &self.room),
            Wake::Ready => (state.ready_waiters > 0, &self.ready),
        };
        drop(state);
        if waiting {
            condvar.notify_all();
        }
    }

    /// Whether `room` more fits: in the queue's bounds, or the queue is empty (a batch
    /// larger than the bounds goes alone), and in the transcript's backlog.
    fn fits(&self, state: &QueueState, room: Room) -> bool {
        let events = state.events.len() + state.reserved.events + room.events;
        let bytes = state.text_bytes + state.reserved.bytes + room.bytes;
        let queue = (events <= self.capacity && bytes <= QUEUE_TEXT_LIMIT)
            || (state.events.is_empty() && state.reserved == Room::default());
        let transcript = state
            .transcript
            .as_ref()
            .is_none_or(|b| b.bytes == 0 || b.bytes + room.bytes <= TRANSCRIPT_BACKLOG);
        queue && transcript
    }

    /// The events for the transcript, when there is one, with the time they were reported.
    fn transcript_copy(&self, events: &[Event]) -> Option<Vec<TranscriptLine>> {
        if !self.transcript_on.load(Ordering::Relaxed) {
            return None;
        }
        let at = std::time::SystemTime::now();
        Some(
            events
                .iter()
                .map(|e| TranscriptLine {
                    at,
                    event: e.clone(),
                })
                .collect(),
        )
    }

    /// Queues `events` (with their transcript lines) and tells whoever must know.
    fn push(
        &self,
        state: MutexGuard<'_, QueueState>,
        events: &mut Vec<Event>,
        lines: Option<Vec<TranscriptLine>>,
    ) {
        let wakes = self.push_quietly(state, events, lines);
        self.wake_up(wakes);
    }

    /// Queues `events` (with their transcript lines); returns whom to tell.
    fn push_quietly(
        &self,
        mut state: MutexGuard<'_, QueueState>,
        events: &mut Vec<Event>,
        lines: Option<Vec<TranscriptLine>>,
    ) -> Wakes {
        if let (Some(backlog), Some(lines)) = (state.transcript.as_mut(), lines) {
            backlog.bytes += lines.iter().map(TranscriptLine::backlog_len).sum::<usize>();
            backlog.lines.extend(lines);
        }
        state.text_bytes += events.iter().map(Event::text_len).sum::<usize>();
        state.events.append(events);
        // A writer waiting out its pace is woken early only when half its backlog waits.
        let writer_full = state.writer_paced
            && state
                .transcript
                .as_ref()
                .is_some_and(|b| b.bytes >= TRANSCRIPT_BACKLOG / 2);
        // A paced queue whose last wake-up is an interval old wakes its consumer from here,
        // as an unpaced one does: a line into a quiet window is not handed from thread to
        // thread (reader, pacer, window) on its way. Not from a reader that stepped down to
        // the lowest priority (a flood): set aside between this push and its wake, it
        // would keep the window waiting, so the pacer, at normal priority, wakes it.
        let consumer = !state.woken
            && self.pacing.is_none_or(|interval| {
                if super::priority::at_lowest_priority() {
                    return false;
                }
                let due = state.last_wake.is_none_or(|t| t.elapsed() >= interval);
                if due {
                    state.last_wake = Some(Instant::now());
                }
                due
            });
        let wakes = Wakes {
            ready: state.ready_waiters > 0 || writer_full,
            pacer: !state.woken && !consumer && state.pacer_parked,
            consumer,
        };
        if wakes.consumer {
            state.woken = true;
        }
        wakes
    }

    /// Tells whoever `wakes` names.
    fn wake_up(&self, wakes: Wakes) {
        if wakes.ready {
            self.ready.notify_all();
        }
        if wakes.pacer {
            self.pacer.notify_one();
        }
        if wakes.consumer {
            (self.wake)();
        }
    }

    /// The pacer thread: tells the consumer about waiting events, at most once an
    /// `interval`; parked while there is nothing to tell.
    fn pace(&self, interval: Duration) {
        let mut state = self.lock();
        loop {
            if state.closed {
                return;
            }
            if state.events.is_empty() || state.woken {
                state.pacer_parked = true;
                state = self.pacer.wait(state).unwrap_or_else(|p| p.into_inner());
                state.pacer_parked = false;
                continue;
            }
            let rest = state
                .last_wake
                .map_or(Duration::ZERO, |t| interval.saturating_sub(t.elapsed()));
            if !rest.is_zero() {
                state = match self.pacer.wait_timeout(state, rest) {
                    Ok((s, _)) => s,
                    Err(p) => p.into_inner().0,
                };
                continue;
            }
            state.woken = true;
            state.last_wake = Some(Instant::now());
            drop(state);
            (self.wake)();
            state = self.lock();
        }
    }
}

impl EventSink for EventQueue {
    fn emit_all(&self, events: &mut Vec<Event>) {
        let lines = self.transcript_copy(events);
        let state = self.lock();
        if state.closed {
            events.clear();
            return;
        }
        self.push(state, events, lines);
    }

    fn reserve(&self, room: Room) -> bool {
        let mut state = self.lock();
        while !state.closed && !self.fits(&state, room) {
            state = self.wait(state, Wake::Room, None);
        }
        if state.closed {
            return false;
        }
        state.reserved.events += room.events;
        state.reserved.bytes += room.bytes;
        true
    }

    fn emit_reserved_quietly(&self, events: &mut Vec<Event>, room: Room) -> Wakes {
        let lines = self.transcript_copy(events);
        let mut state = self.lock();
        state.reserved.give_back(room);
        if state.closed {
            events.clear();
            return Wakes::default();
        }
        self.push_quietly(state, events, lines)
    }

    fn wake(&self, wakes: Wakes) {
        self.wake_up(wakes);
    }

    fn release(&self, room: Room) {
        let mut state = self.lock();
        state.reserved.give_back(room);
        self.notify(state, Wake::Room);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The transcript's words for these tests: a received line as the log shows it.
    fn words() -> crate::engine::event::LineWords {
        Arc::new(|event: &Event, line: &mut String| match event {
            Event::Received { text, .. } => *line += &format!("[rcv] {}", &**text),
            other => *line += &format!("{other:?}"),
        })
    }
    use std::sync::atomic::AtomicUsize;

    fn line(text: &str) -> Event {
        Event::Received {
            side: crate::engine::Side::Incoming,
            peer: "127.0.0.1:1".parse().unwrap(),
            text: text.into(),
            show_peer: false,
            cut: 0,
        }
    }

    /// Whether a thread running `job` is still held after a moment (it should be).
    fn held(job: impl FnOnce() -> bool + Send + 'static) -> std::thread::JoinHandle<bool> {
        let waiter = std::thread::spawn(job);
        std::thread::sleep(Duration::from_millis(30));
        assert!(!waiter.is_finished(), "the reader was let through");
        waiter
    }

    #[test]
    fn a_burst_of_events_costs_one_wake_up() {
        let wakes = Arc::new(AtomicUsize::new(0));
        let counter = wakes.clone();
        let queue = EventQueue::new(100, move || {
            counter.fetch_add(1, Ordering::SeqCst);
        });
        for _ in 0..50 {
            queue.emit(Event::ListenStopped);
        }
        assert_eq!(wakes.load(Ordering::SeqCst), 1);
        assert_eq!(queue.drain().len(), 50);
        queue.emit(Event::ListenStopped);
        assert_eq!(wakes.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn try_drain_gives_up_instead_of_waiting_for_a_reader_that_holds_the_queue() {
        let queue = EventQueue::new(100, || {});
        queue.emit(Event::ListenStopped);
        let held = queue.state.lock().unwrap();
        assert!(queue.try_drain().is_none());
        drop(held);
        assert_eq!(queue.try_drain().map(|e| e.len()), Some(1));
    }

    #[test]
    fn draining_into_a_spare_list_leaves_its_room_to_the_queue() {
        let queue = EventQueue::new(100, || {});
        let mut spare = Vec::with_capacity(500);
        queue.emit(Event::ListenStopped);
        assert!(queue.try_drain_into(&mut spare));
        assert_eq!(spare.len(), 1);
        // The next events are queued in the spare's room: no list grown under the lock.
        assert!(queue.state.lock().unwrap().events.capacity() >= 500);
        spare.clear();
        let held = queue.state.lock().unwrap();
        assert!(
            !queue.try_drain_into(&mut spare),
            "a held queue is not waited for"
        );
        drop(held);
    }

    #[test]
    fn a_full_queue_holds_readers_until_drained() {
        let queue = Arc::new(EventQueue::new(2, || {}));
        queue.emit(Event::ListenStopped);
        queue.emit(Event::ListenStopped);
        let q = queue.clone();
        let waiter = held(move || {
            q.reserve(Room {
                events: 1,
                bytes: 0,
            })
        });
        queue.drain();
        assert!(waiter.join().unwrap());
    }

    #[test]
    fn the_bound_holds_across_every_reader_together() {
        // Eight readers reserve and queue batches of 30 at once; the consumer never finds
        // more than the capacity (100) waiting, however their turns interleave.
        let queue = Arc::new(EventQueue::new(100, || {}));
        let readers: Vec<_> = (0..8)
            .map(|_| {
                let queue = queue.clone();
                std::thread::spawn(move || {
                    for _ in 0..200 {
                        let mut batch: Vec<Event> = (0..30).map(|_| line("x")).collect();
                        let room = Room::of(&batch);
                        assert!(queue.reserve(room));
                        queue.emit_reserved(&mut batch, room);
                    }
                })
            })
            .collect();
        let mut taken = 0;
        let deadline = Instant::now() + Duration::from_secs(20);
        while taken < 8 * 200 * 30 {
            assert!(Instant::now() < deadline, "readers stuck at {taken}");
            let batch = queue.wait_drain(Duration::from_millis(50));
            assert!(batch.len() <= 100, "{} events waiting at once", batch.len());
            taken += batch.len();
        }
        readers.into_iter().for_each(|r| r.join().unwrap());
    }

    #[test]
    fn a_batch_larger_than_the_queue_goes_alone() {
        let queue = Arc::new(EventQueue::new(10, || {}));
        let big = Room {
            events: 50,
            bytes: 0,
        };
        assert!(queue.reserve(big), "an empty queue takes any one batch");
        let q = queue.clone();
        let waiter = held(move || {
            q.reserve(Room {
                events: 1,
                bytes: 0,
            })
        });
        queue.emit_reserved(&mut (0..50).map(|_| line("x")).collect(), big);
        assert_eq!(queue.drain().len(), 50);
        assert!(waiter.join().unwrap());
    }

    #[test]
    fn room_given_back_lets_the_next_reader_in() {
        let queue = Arc::new(EventQueue::new(10, || {}));
        let all = Room {
            events: 10,
            bytes: 0,
        };
        assert!(queue.reserve(all));
        let q = queue.clone();
        let waiter = held(move || {
            q.reserve(Room {
                events: 1,
                bytes: 0,
            })
        });
        queue.release(all);
        assert!(waiter.join().unwrap());
    }

    #[test]
    fn a_quiet_paced_queue_wakes_its_consumer_from_the_producer_not_through_the_pacer() {
        let woken_on = Arc::new(Mutex::new(Vec::new()));
        let seen = woken_on.clone();
        let queue = EventQueue::paced(1000, Duration::from_secs(1), move || {
            seen.lock().unwrap().push(std::thread::current().id());
        })
        .unwrap();
        queue.emit(Event::ListenStopped);
        assert_eq!(*woken_on.lock().unwrap(), [std::thread::current().id()]);
        // Within the interval, the pacer wakes it.
        queue.drain();
        queue.emit(Event::ListenStopped);
        let deadline = Instant::now() + Duration::from_secs(5);
        while woken_on.lock().unwrap().len() < 2 {
            assert!(Instant::now() < deadline, "no second wake-up");
            std::thread::yield_now();
        }
        assert_ne!(woken_on.lock().unwrap()[1], std::thread::current().id());
        queue.close();
    }

    #[test]
    fn a_reader_at_the_lowest_priority_leaves_the_wake_up_to_the_pacer() {
        let woken_on = Arc::new(Mutex::new(Vec::new()));
        let seen = woken_on.clone();
        let queue = Arc::new(
            EventQueue::paced(1000, Duration::from_millis(200), move || {
                seen.lock().unwrap().push(std::thread::current().id());
            })
            .unwrap(),
        );
        let q = queue.clone();
        let reader = std::thread::spawn(move || {
            crate::engine::priority::run_at_lowest_priority();
            q.emit(Event::ListenStopped);
            std::thread::current().id()
        })
        .join()
        .unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        while woken_on.lock().unwrap().is_empty() {
            assert!(Instant::now() < deadline, "no wake-up");
            std::thread::yield_now();
        }
        let by = woken_on.lock().unwrap()[0];
        assert_ne!(by, reader);
        assert_ne!(by, std::thread::current().id());
        queue.close();
    }

    #[test]
    fn a_paced_queue_wakes_at_once_when_idle_and_then_at_most_once_an_interval() {
        let wakes = Arc::new(AtomicUsize::new(0));
        let counter = wakes.clone();
        let queue = EventQueue::paced(1000, Duration::from_millis(200), move || {
            counter.fetch_add(1, Ordering::SeqCst);
        })
        .unwrap();
        queue.emit(Event::ListenStopped);
        let deadline = Instant::now() + Duration::from_secs(5);
        while wakes.load(Ordering::SeqCst) == 0 {
            assert!(Instant::now() < deadline, "no wake-up");
            std::thread::yield_now();
        }
        // Drained and refilled within the interval: no second wake-up until it passes.
        queue.drain();
        queue.emit(Event::ListenStopped);
        assert_eq!(wakes.load(Ordering::SeqCst), 1);
        while wakes.load(Ordering::SeqCst) == 1 {
            assert!(Instant::now() < deadline, "no second wake-up");
            std::thread::yield_now();
        }
        queue.close();
    }

    #[test]
    fn queued_text_is_bounded_in_bytes_too() {
        let queue = Arc::new(EventQueue::new(1_000_000, || {}));
        let piece = "x".repeat(64 * 1024);
        for _ in 0..QUEUE_TEXT_LIMIT / piece.len() {
            let mut batch = vec![line(&piece)];
            let room = Room::of(&batch);
            assert!(queue.reserve(room));
            queue.emit_reserved(&mut batch, room);
        }
        let q = queue.clone();
        let waiter = held(move || {
            q.reserve(Room {
                events: 1,
                bytes: 64 * 1024,
            })
        });
        assert_eq!(queue.drain().len(), QUEUE_TEXT_LIMIT / piece.len());
        assert!(waiter.join().unwrap());
    }

    #[test]
    fn a_transcript_behind_holds_readers_back_and_gets_every_line_in_order() {
        let queue = Arc::new(EventQueue::new(1_000_000, || {}));
        queue.start_transcript();
        let piece = "y".repeat(64 * 1024);
        let sent = TRANSCRIPT_BACKLOG / piece.len() - 1;
        for i in 0..sent {
            let mut batch = vec![line(&format!("{i} {piece}"))];
            let room = Room::of(&batch);
            assert!(queue.reserve(room));
            queue.emit_reserved(&mut batch, room);
            queue.drain(); // the window keeps up; only the transcript is behind
        }
        let q = queue.clone();
        let waiter = held(move || {
            q.reserve(Room {
                events: 1,
                bytes: 2 * 64 * 1024,
            })
        });
        let lines = queue.transcript_lines().unwrap();
        assert!(waiter.join().unwrap());
        assert_eq!(lines.len(), sent);
        for (i, l) in lines.iter().enumerate() {
            let mut text = String::new();
            words()(&l.event, &mut text);
            assert!(
                text.starts_with(&format!("[rcv] {i} ")),
                "line {i}: {text:.50}"
            );
        }
        queue.close();
        assert_eq!(queue.transcript_lines(), None);
    }

    #[test]
    fn a_quiet_report_wakes_the_consumer_only_when_told() {
        let wakes = Arc::new(AtomicUsize::new(0));
        let counter = wakes.clone();
        let queue = EventQueue::new(100, move || {
            counter.fetch_add(1, Ordering::SeqCst);
        });
        let mut batch = vec![line("a")];
        let room = Room::of(&batch);
        assert!(queue.reserve(room));
        let told = queue.emit_reserved_quietly(&mut batch, room);
        assert_eq!(wakes.load(Ordering::SeqCst), 0);
        queue.wake(told);
        assert_eq!(wakes.load(Ordering::SeqCst), 1);
        assert_eq!(queue.drain().len(), 1);
    }

    #[test]
    fn the_transcript_writer_takes_lines_at_most_once_a_pace_while_they_keep_coming() {
        let queue = EventQueue::new(1000, || {});
        queue.start_transcript();
        queue.emit(line("a"));
        let first_asked = Instant::now();
        assert_eq!(queue.transcript_lines().unwrap().len(), 1);
        queue.emit(line("b"));
        queue.emit(line("c"));
        assert_eq!(queue.transcript_lines().unwrap().len(), 2);
        assert!(first_asked.elapsed() >= TRANSCRIPT_PACE);
    }

    #[test]
    fn the_writer_waits_only_the_rest_of_its_pace_and_not_after_a_quiet_spell() {
        let now = Instant::now();
        let ago = |ms: u64| Some(now - Duration::from_millis(ms));
        let half = TRANSCRIPT_BACKLOG / 2;
        assert_eq!(
            writer_pace(ago(5), 100, false, now),
            Some(TRANSCRIPT_PACE - Duration::from_millis(5))
        );
        // Never taken, a quiet spell, half the backlog waiting, or closed: at once.
        assert_eq!(writer_pace(None, 100, false, now), None);
        assert_eq!(writer_pace(ago(25), 100, false, now), None);
        assert_eq!(writer_pace(ago(5), half, false, now), None);
        assert_eq!(writer_pace(ago(5), 100, true, now), None);
    }

    #[test]
    fn a_writer_waiting_out_its_pace_is_woken_once_half_its_backlog_waits() {
        let queue = EventQueue::new(1000, || {});
        queue.start_transcript();
        queue.state.lock().unwrap().writer_paced = true;
        let report = |text: &str| {
            let mut batch = vec![line(text)];
            let room = Room::of(&batch);
            assert!(queue.reserve(room));
            let told = queue.emit_reserved_quietly(&mut batch, room);
            queue.wake(told);
            told
        };
        assert!(!report("small").ready);
        assert!(report(&"x".repeat(TRANSCRIPT_BACKLOG / 2)).ready);
    }

    #[test]
    fn a_stopped_transcript_holds_nobody() {
        let queue = Arc::new(EventQueue::new(1_000_000, || {}));
        queue.start_transcript();
        let mut batch = vec![line(&"z".repeat(TRANSCRIPT_BACKLOG))];
        queue.emit_all(&mut batch);
        let q = queue.clone();
        let waiter = held(move || {
            q.reserve(Room {
                events: 1,
                bytes: 10,
            })
        });
        queue.drain();
        queue.stop_transcript();
        assert!(waiter.join().unwrap());
        assert_eq!(queue.transcript_lines(), None);
    }

    #[test]
    fn closing_lets_waiting_readers_go_and_drops_events() {
        let queue = Arc::new(EventQueue::new(1, || {}));
        queue.emit(Event::ListenStopped);
        let q = queue.clone();
        let waiter = held(move || {
            q.reserve(Room {
                events: 1,
                bytes: 0,
            })
        });
        queue.close();
        assert!(!waiter.join().unwrap());
        queue.emit(Event::ListenStopped);
        assert!(queue.drain().is_empty());
    }
}
