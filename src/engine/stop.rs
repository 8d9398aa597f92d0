//! Stopping, one way for everything: a request that every part hears, and a wait until
//! every part has finished (as mini-redis's `Shutdown`). `/quit` in the terminal, the
//! window's close button, SIGTERM and the tests all request it; each part says what it
//! does when asked ([`Stop::on_request`]) and holds a [`Working`] until it is done, so
//! whoever must end the process waits for exactly that, with a deadline, and no longer.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Why the stop was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// The person asked (the window closed, `/quit`, the end of the input).
    Asked,
    /// The process was sent this signal (SIGTERM at logout, SIGHUP, SIGINT).
    Signal(i32),
}

impl Cause {
    /// The process's exit code for this cause: 128 + the signal, as a shell reports it;
    /// `asked` when the person asked.
    pub fn exit_code(self, asked: i32) -> i32 {
        match self {
            Cause::Asked => asked,
            Cause::Signal(signal) => 128 + signal,
        }
    }
}

type Listener = Box<dyn FnOnce(Cause) + Send>;

#[derive(Default)]
struct State {
    cause: Option<Cause>,
    listeners: Vec<Listener>,
    working: usize,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    changed: Condvar,
}

/// A handle on one stop, shared by every part of a run (clone it freely).
#[derive(Clone, Default)]
pub struct Stop {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.lock();
        f.debug_struct("Stop")
            .field("cause", &state.cause)
            .field("working", &state.working)
            .finish()
    }
}

impl Stop {
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.shared.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Asks every part to stop. The first request's cause is kept; its listeners run now,
    /// on this thread, in the order they were added (a listener that panics does not keep
    /// the others from running). Later requests change nothing.
    pub fn request(&self, cause: Cause) {
        let listeners = {
            let mut state = self.lock();
            if state.cause.is_some() {
                return;
            }
            state.cause = Some(cause);
            std::mem::take(&mut state.listeners)
        };
        self.shared.changed.notify_all();
        for listener in listeners {
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| listener(cause)));
        }
    }

    /// Why the stop was asked for; `None` while it was not.
    pub fn cause(&self) -> Option<Cause> {
        self.lock().cause
    }

    /// Has `then` run when the stop is requested, on the requesting thread (at once, here,
    /// if it was already). Keep it short: the listeners after it wait for it.
    pub fn on_request(&self, then: impl FnOnce(Cause) + Send + 'static) {
        let mut state = self.lock();
        match state.cause {
            Some(cause) => {
                drop(state);
                then(cause);
            }
            None => state.listeners.push(Box::new(then)),
        }
    }

    /// A part that has work to finish once the stop is requested: the stop counts as
    /// finished only when every `Working` is dropped.
    pub fn working(&self) -> Working {
        self.lock().working += 1;
        Working {
            stop: Some(self.clone()),
        }
    }

    /// Waits, at most `limit`, for the stop to be requested and then for every part to
    /// finish; true if both happened in time.
    pub fn wait_finished(&self, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        let mut state = self.lock();
        loop {
            if state.cause.is_some() && state.working == 0 {
                return true;
            }
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                return false;
            };
            state = self
                .shared
                .changed
                .wait_timeout(state, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }
}

/// One part's work, counted by its [`Stop`] until it is dropped (or [`Working::done`]).
#[derive(Debug)]
pub struct Working {
    stop: Option<Stop>,
}

impl Working {
    /// This part has finished (as dropping it does).
    pub fn done(mut self) {
        self.finish();
    }

    fn finish(&mut self) {
        if let Some(stop) = self.stop.take() {
            stop.lock().working -= 1;
            stop.shared.changed.notify_all();
        }
    }
}

impl Drop for Working {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn every_listener_hears_the_first_request_once_with_its_cause() {
        let stop = Stop::new();
        let heard = Arc::new(Mutex::new(Vec::new()));
        for part in 0..3 {
            let heard = heard.clone();
            stop.on_request(move |cause| heard.lock().unwrap().push((part, cause)));
        }
        assert!(
            heard.lock().unwrap().is_empty(),
            "nothing heard before the request"
        );
        stop.request(Cause::Signal(15));
        stop.request(Cause::Asked);
        let expected: Vec<_> = (0..3).map(|p| (p, Cause::Signal(15))).collect();
        assert_eq!(*heard.lock().unwrap(), expected);
        assert_eq!(stop.cause(), Some(Cause::Signal(15)));
        // A part that comes late hears it at once.
        let late = heard.clone();
        stop.on_request(move |cause| late.lock().unwrap().push((9, cause)));
        assert_eq!(heard.lock().unwrap().last(), Some(&(9, Cause::Signal(15))));
    }

    #[test]
    fn a_listener_that_panics_does_not_keep_the_others_from_hearing() {
        let stop = Stop::new();
        let heard = Arc::new(AtomicUsize::new(0));
        stop.on_request(|_| panic!("a part that fails"));
        let counter = heard.clone();
        stop.on_request(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        });
        stop.request(Cause::Asked);
        assert_eq!(heard.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn finished_means_requested_and_every_part_done() {
        let stop = Stop::new();
        let (a, b) = (stop.working(), stop.working());
        assert!(
            !stop.wait_finished(Duration::from_millis(20)),
            "not requested yet"
        );
        stop.request(Cause::Asked);
        assert!(
            !stop.wait_finished(Duration::from_millis(20)),
            "two parts still working"
        );
        a.done();
        assert!(
            !stop.wait_finished(Duration::from_millis(20)),
            "one part still working"
        );
        // The last part finishes on another thread while the wait goes on.
        let finishing = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            drop(b);
        });
        assert!(stop.wait_finished(Duration::from_secs(10)));
        finishing.join().unwrap();
        assert_eq!(Cause::Signal(15).exit_code(0), 143);
        assert_eq!(Cause::Asked.exit_code(0), 0);
    }
}
