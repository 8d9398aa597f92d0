//! Ending when told to: SIGTERM (logout, shutdown, `kill`), SIGHUP (the terminal went
//! away) and SIGINT (Ctrl-C where it is a signal). The announcement on the LAN is
//! withdrawn first, at once, whatever happens next; then the front end ends its own way.

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

/// Watches for the signals on a thread of its own. At the first, every announcement is
/// withdrawn (goodbye packets), then `then` runs with the signal's number; a second
/// signal while `then` runs ends the process at once.
pub fn watch(then: impl FnOnce(i32) + Send + 'static) {
    let Ok(mut signals) = Signals::new([SIGTERM, SIGHUP, SIGINT]) else {
        return; // the default actions stay: the process ends unannounced
    };
    let spawned = std::thread::Builder::new()
        .name("tcp-chat-signals".into())
        .stack_size(128 * 1024)
        .spawn(move || {
            let mut then = Some(then);
            for signal in signals.forever() {
                let Some(then) = then.take() else {
                    std::process::exit(128 + signal); // told twice
                };
                let ending = std::thread::Builder::new()
                    .name("tcp-chat-ending".into())
                    .spawn(move || {
                        crate::engine::discovery::goodbye_all();
                        // A front end whose way out fails (a panic) still ends here.
                        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
                            then(signal)
                        }));
                        std::process::exit(128 + signal);
                    });
                if ending.is_err() {
                    std::process::exit(128 + signal);
                }
            }
        });
    drop(spawned);
}
