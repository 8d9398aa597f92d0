//! Where the engine's events go: a sink, and the queue that batches them for one
//! consumer thread (the Qt thread in the app, the test in tests).
//!
//! Producers never wait on the consumer, with one exception that keeps memory bounded:
//! a reader with received lines in hand waits for room ([`EventSink::wait_for_room`])
//! before it reads more, so a flooding peer is slowed down by TCP instead of filling
//! memory. Control events (connected, errors) are never held back.

use super::event::Event;
use std::sync::{Condvar, Mutex, MutexGuard};
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
pub const DEFAULT_QUEUE_CAPACITY: usize = 16 * 1024;

/// A batching queue: events pile up until the consumer drains them all at once, and
/// `wake` is called only when the queue goes from empty to not empty, so a flood of
/// lines costs one wake-up per batch, not one per line.
pub struct EventQueue {
    state: Mutex<QueueState>,
    /// Signalled when the consumer drains (room for readers) or new events arrive.
    changed: Condvar,
    capacity: usize,
    wake: Box<dyn Fn() + Send + Sync>,
}

#[derive(Default)]
struct QueueState {
    events: Vec<Event>,
    /// A wake-up was sent and the consumer has not drained since.
    woken: bool,
    /// The consumer is gone: events are dropped, waiting readers are let go.
    closed: bool,
}

impl EventQueue {
    /// A queue that calls `wake` when events wait and the consumer was not yet told.
    pub fn new(capacity: usize, wake: impl Fn() + Send + Sync + 'static) -> Self {
        Self {
            state: Mutex::new(QueueState::default()),
            changed: Condvar::new(),
            capacity: capacity.max(1),
            wake: Box::new(wake),
        }
    }

    /// Takes every waiting event, oldest first.
    pub fn drain(&self) -> Vec<Event> {
        let mut state = self.lock();
        state.woken = false;
        let events = std::mem::take(&mut state.events);
        drop(state);
        self.changed.notify_all();
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
            state = match self.changed.wait_timeout(state, left) {
                Ok((s, _)) => s,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
        drop(state);
        self.drain()
    }

    /// The consumer is going away: drop what is queued and let every waiting reader go.
    pub fn close(&self) {
        let mut state = self.lock();
        state.closed = true;
        state.events.clear();
        drop(state);
        self.changed.notify_all();
    }

    fn lock(&self) -> MutexGuard<'_, QueueState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn pushed(&self, mut state: MutexGuard<'_, QueueState>) {
        let wake = !state.woken;
        state.woken = true;
        drop(state);
        self.changed.notify_all();
        if wake {
            (self.wake)();
        }
    }
}

impl EventSink for EventQueue {
    fn emit(&self, event: Event) {
        let mut state = self.lock();
        if state.closed {
            return;
        }
        state.events.push(event);
        self.pushed(state);
    }

    fn emit_all(&self, events: &mut Vec<Event>) {
        let mut state = self.lock();
        if state.closed {
            events.clear();
            return;
        }
        state.events.append(events);
        self.pushed(state);
    }

    fn wait_for_room(&self) -> bool {
        let mut state = self.lock();
        while state.events.len() >= self.capacity && !state.closed {
            state = self.changed.wait(state).unwrap_or_else(|p| p.into_inner());
        }
        !state.closed
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
