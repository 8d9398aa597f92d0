//! Ending when told to: SIGTERM (logout, shutdown, `kill`), SIGHUP (the terminal went
//! away) and SIGINT (Ctrl-C where it is a signal). The first asks the run's [`Stop`]
//! (every part hears it: the LAN announcement is withdrawn first, at once), then the
//! process ends with 128 + the signal as soon as every part has finished, or after
//! [`GRACE`] if one cannot (a window whose event loop hangs). A second signal ends it
//! at once.

use crate::engine::stop::{Cause, Stop};
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;
use std::time::Duration;

/// The longest the parts of a run may take to finish after a signal.
pub const GRACE: Duration = Duration::from_secs(3);

/// Watches for the signals on a thread of its own, for `stop`.
pub fn watch(stop: Stop) {
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
                        stop.request(Cause::Signal(signal));
                        stop.wait_finished(GRACE);
                        std::process::exit(128 + signal);
                    });
                if ending.is_err() {
                    std::process::exit(128 + signal);
                }
            }
        });
    drop(spawned);
}
