//! Where the engine's events go: a sink, and the queue that batches them for one
//! consumer thread (the Qt thread in the app, the test in tests).
//!
//! Producers never wait on the consumer, with one exception that keeps memory bounded:
//! a reader with received lines in hand waits for room ([`EventSink::wait_for_room`])
//! before it reads more, so a flooding peer is slowed down by TCP instead of filling
//! memory. Control events (connected, errors) are never held back.

use super::event::Event;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Receives the engine's events. Implementations must not block in `emit`.
pub trait EventSink: Send + Sync {
    fn emit(&self, event: Event);

    /// Several events at once, in order; `events` is left empty.
    fn emit_all(&self, events: &mut Vec<Event>) {
        for event in events.drain(..) {
            self.emit(event);
        }
    }

    /// Waits until the consumer has room for more received lines. Returns false when the
    /// sink is closed for good (the reader should stop).
    fn wait_for_room(&self) -> bool {
        true
    }
}

/// How many events may wait for the consumer before readers are held back.
pub const DEFAULT_QUEUE_CAPACITY: usize = 64 * 1024;

/// How much received text may wait for the consumer before readers are held back, so that
/// peers sending 64 KiB pieces cannot fill memory with a few thousand events.
pub const QUEUE_TEXT_LIMIT: usize = 8 * 1024 * 1024;

/// A batching queue: events pile up until the consumer drains them all at once, and
/// `wake` is called only when events wait and the consumer has not been told yet, so a
/// flood of lines costs one wake-up per batch, not one per line. A paced queue (see
/// [`EventQueue::paced`]) also leaves at least an interval between wake-ups, so that a
/// busy peer costs the consumer (the Qt thread) a bounded number of calls a second.
pub struct EventQueue {
    state: Mutex<QueueState>,
    /// Signalled for readers waiting for room and consumers waiting for events.
    changed: Condvar,
    /// Signalled for the pacer thread, when it is parked.
    pacer: Condvar,
    capacity: usize,
    /// The least time between two wake-ups; `None` wakes at once, from the producer.
    pacing: Option<Duration>,
    wake: Box<dyn Fn() + Send + Sync>,
}

#[derive(Default)]
struct QueueState {
    events: Vec<Event>,
    /// Bytes of received text in `events`.
    text_bytes: usize,
    /// The consumer was told and has not drained since.
    woken: bool,
    /// The consumer is gone: events are dropped, waiting readers are let go.
    closed: bool,
    /// Threads waiting on `changed`: a notify costs a system call, so only when needed.
    waiters: usize,
    /// The pacer thread waits on `pacer` for events.
    pacer_parked: bool,
}

impl EventQueue {
    /// A queue that calls `wake` (from the producing thread) when events wait and the
    /// consumer was not yet told.
    pub fn new(capacity: usize, wake: impl Fn() + Send + Sync + 'static) -> Self {
        Self::build(capacity, None, Box::new(wake))
    }

    /// A queue whose wake-ups come from a thread of its own, at most one per `interval`.
    /// The thread ends when the queue is closed.
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
            changed: Condvar::new(),
            pacer: Condvar::new(),
            capacity: capacity.max(1),
            pacing,
            wake,
        }
    }

    /// Takes every waiting event, oldest first.
    pub fn drain(&self) -> Vec<Event> {
        let mut state = self.lock();
        state.woken = false;
        state.text_bytes = 0;
        let events = std::mem::take(&mut state.events);
        let notify = state.waiters > 0;
        drop(state);
        if notify {
            self.changed.notify_all();
        }
        events
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
            state.waiters += 1;
            state = match self.changed.wait_timeout(state, left) {
                Ok((s, _)) => s,
                Err(poisoned) => poisoned.into_inner().0,
            };
            state.waiters -= 1;
        }
        drop(state);
        self.drain()
    }

    /// The consumer is going away: drop what is queued and let every waiting reader (and
    /// the pacer) go.
    pub fn close(&self) {
        let mut state = self.lock();
        state.closed = true;
        state.events.clear();
        state.text_bytes = 0;
        drop(state);
        self.changed.notify_all();
        self.pacer.notify_all();
    }

    fn lock(&self) -> MutexGuard<'_, QueueState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn pushed(&self, mut state: MutexGuard<'_, QueueState>) {
        let notify_waiters = state.waiters > 0;
        let wake_now = !state.woken && self.pacing.is_none();
        let wake_pacer = !state.woken && state.pacer_parked;
        if wake_now {
            state.woken = true;
        }
        drop(state);
        if notify_waiters {
            self.changed.notify_all();
        }
        if wake_pacer {
            self.pacer.notify_one();
        }
        if wake_now {
            (self.wake)();
        }
    }

    /// The pacer thread: tells the consumer about waiting events, at most once an
    /// `interval`; parked while there is nothing to tell.
    fn pace(&self, interval: Duration) {
        let mut last_wake: Option<Instant> = None;
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
            let rest = last_wake.map_or(Duration::ZERO, |t| interval.saturating_sub(t.elapsed()));
            if !rest.is_zero() {
                state = match self.pacer.wait_timeout(state, rest) {
                    Ok((s, _)) => s,
                    Err(p) => p.into_inner().0,
                };
                continue;
            }
            state.woken = true;
            drop(state);
            last_wake = Some(Instant::now());
            (self.wake)();
            state = self.lock();
        }
    }
}

impl EventSink for EventQueue {
    fn emit(&self, event: Event) {
        let mut state = self.lock();
        if state.closed {
            return;
        }
        state.text_bytes += text_len(&event);
        state.events.push(event);
        self.pushed(state);
    }

    fn emit_all(&self, events: &mut Vec<Event>) {
        let mut state = self.lock();
        if state.closed {
            events.clear();
            return;
        }
        state.text_bytes += events.iter().map(text_len).sum::<usize>();
        state.events.append(events);
        self.pushed(state);
    }

    fn wait_for_room(&self) -> bool {
        let mut state = self.lock();
        while (state.events.len() >= self.capacity || state.text_bytes >= QUEUE_TEXT_LIMIT)
            && !state.closed
        {
            state.waiters += 1;
            state = self.changed.wait(state).unwrap_or_else(|p| p.into_inner());
            state.waiters -= 1;
        }
        !state.closed
    }
}

/// The received text an event carries.
fn text_len(event: &Event) -> usize {
    match event {
        Event::Received { text, .. } => text.len(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

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
    fn a_full_queue_holds_readers_until_drained() {
        let queue = Arc::new(EventQueue::new(2, || {}));
        queue.emit(Event::ListenStopped);
        queue.emit(Event::ListenStopped);
        let waiter = {
            let queue = queue.clone();
            std::thread::spawn(move || queue.wait_for_room())
        };
        // The reader is held while the queue is full; draining lets it go.
        std::thread::sleep(Duration::from_millis(20));
        assert!(!waiter.is_finished());
        queue.drain();
        assert!(waiter.join().unwrap());
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
        let peer = "127.0.0.1:1".parse().unwrap();
        for _ in 0..QUEUE_TEXT_LIMIT / piece.len() {
            assert!(queue.wait_for_room());
            queue.emit(Event::Received {
                side: crate::engine::Side::Incoming,
                peer,
                text: piece.clone(),
                show_peer: false,
            });
        }
        let waiter = {
            let queue = queue.clone();
            std::thread::spawn(move || queue.wait_for_room())
        };
        std::thread::sleep(Duration::from_millis(20));
        assert!(
            !waiter.is_finished(),
            "8 MiB of text waiting: readers are held back"
        );
        assert_eq!(queue.drain().len(), 128);
        assert!(waiter.join().unwrap());
    }

    #[test]
    fn closing_lets_waiting_readers_go_and_drops_events() {
        let queue = Arc::new(EventQueue::new(1, || {}));
        queue.emit(Event::ListenStopped);
        let waiter = {
            let queue = queue.clone();
            std::thread::spawn(move || queue.wait_for_room())
        };
        queue.close();
        assert!(!waiter.join().unwrap());
        queue.emit(Event::ListenStopped);
        assert!(queue.drain().is_empty());
    }
}
