//! A thread's CPU priority: busy readers step down to the lowest, so that the window's
//! thread keeps the CPU it needs to draw; the event queue asks whether the thread
//! reporting to it did, since such a thread must not wake the window itself.

thread_local! {
    /// This thread runs at the lowest CPU priority ([`run_at_lowest_priority`]).
    static AT_LOWEST: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether the calling thread stepped down to the lowest CPU priority: such a thread does
/// not wake the window itself (see `EventQueue`'s pacer), lest the window wait on it.
pub(crate) fn at_lowest_priority() -> bool {
    AT_LOWEST.with(std::cell::Cell::get)
}

/// Moves the calling thread to the lowest CPU priority (nice 19). Readers call it: with
/// 64 peers flooding, 64 busy readers would otherwise share the CPU evenly with the Qt
/// thread, which then gets a sixty-fifth of it and stalls the window. They still get
/// every cycle the window leaves, and a reader that gets less reads less, which slows its
/// peer down through TCP.
pub fn run_at_lowest_priority() {
    AT_LOWEST.with(|at| at.set(true));
    #[cfg(target_os = "linux")]
    // SAFETY: gettid and setpriority take no pointers; lowering one's own priority needs
    // no rights, and failing to changes nothing else.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, tid, 19);
    }
}
