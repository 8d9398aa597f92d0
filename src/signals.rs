//! Ending when told to: SIGTERM (logout, shutdown, `kill`), SIGHUP (the terminal went
//! away) and SIGINT (Ctrl-C where it is a signal). The first asks the run's [`Stop`]
//! (every part hears it: the LAN announcement is withdrawn first, at once), then the
//! process ends with 128 + the signal as soon as every part has finished (ended by the
//! window's main thread, or by the terminal's signal thread: [`Ender`]), or after
//! [`GRACE`] if one cannot (a window whose event loop hangs). A second signal ends it
//! at once.

use crate::engine::stop::{Cause, Stop};
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;
use std::time::Duration;

/// The longest the parts of a run may take to finish after a signal.
pub const GRACE: Duration = Duration::from_secs(3);

/// Which thread ends the process once every part of the run has finished after a signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ender {
    /// The main thread, right after its own part (the window: Qt's objects must be torn
    /// down on the thread that made them; ending the process from another thread runs
    /// Qt's teardown there, and Qt says "Timers cannot be stopped from another thread",
    /// while the main thread may be ending it too).
    MainThread,
    /// The signal's own thread (the terminal: its main thread may be waiting for input).
    SignalThread,
}

/// Watches for the signals on a thread of its own, for `stop`; `ender` ends the process
/// once the run has finished.
pub fn watch(stop: Stop, ender: Ender) {
    let Ok(mut signals) = Signals::new([SIGTERM, SIGHUP, SIGINT]) else {
        return; // the default actions stay: the process ends unannounced
    };
    let spawned = std::thread::Builder::new()
        .name("tcp-chat-signals".into())
        .stack_size(128 * 1024)
        .spawn(move || {
            let mut first = true;
            for signal in signals.forever() {
                if !first {
                    std::process::exit(128 + signal); // told twice
                }
                first = false;
                let stop = stop.clone();
                let ending = std::thread::Builder::new()
                    .name("tcp-chat-ending".into())
                    .spawn(move || {
                        if let Some(code) = end_after(&stop, signal, ender, GRACE) {
                            std::process::exit(code);
                        }
                    });
                if ending.is_err() {
                    std::process::exit(128 + signal);
                }
            }
        });
    drop(spawned);
}

/// What the thread that heard `signal` does: asks `stop`, waits up to `grace` for the
/// run to finish, and says the code to end the process with, or `None` where `ender`
/// (the main thread) ends it.
fn end_after(stop: &Stop, signal: i32, ender: Ender, grace: Duration) -> Option<i32> {
    stop.request(Cause::Signal(signal));
    let finished = stop.wait_finished(grace);
    (!finished || ender == Ender::SignalThread).then_some(128 + signal)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run with one part, which finishes as soon as the stop is asked for.
    fn finishing_run() -> Stop {
        let stop = Stop::new();
        let part = std::sync::Mutex::new(Some(stop.working()));
        stop.on_request(move |_| drop(part.lock().unwrap().take()));
        stop
    }

    #[test]
    fn a_window_that_finished_is_left_for_its_main_thread_to_end() {
        let stop = finishing_run();
        assert_eq!(
            end_after(&stop, SIGTERM, Ender::MainThread, Duration::from_secs(10)),
            None
        );
        assert!(stop.wait_finished(Duration::ZERO), "the run finished");
    }

    #[test]
    fn the_terminal_that_finished_is_ended_by_the_signals_thread_with_128_plus_the_signal() {
        let stop = finishing_run();
        assert_eq!(
            end_after(&stop, SIGTERM, Ender::SignalThread, Duration::from_secs(10)),
            Some(128 + SIGTERM)
        );
    }

    #[test]
    fn a_window_whose_part_hangs_is_ended_by_the_signals_thread_after_the_grace() {
        let stop = Stop::new();
        let _hung = stop.working();
        let started = std::time::Instant::now();
        let grace = Duration::from_millis(100);
        assert_eq!(
            end_after(&stop, SIGHUP, Ender::MainThread, grace),
            Some(128 + SIGHUP)
        );
        assert!(started.elapsed() >= grace, "ended before the grace ran out");
    }
}
