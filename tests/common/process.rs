//! Whether a program still runs, for tests and benchmarks that did not start it themselves
//! (tmux or `ip netns exec` did) or must check it without waiting for it.
#![allow(dead_code)]

/// Whether the program `pid` still runs: /proc/<pid>/stat is there and does not say it
/// is a zombie (a program that died is one until it is waited for) or dead.
pub fn running(pid: u32) -> bool {
    let state = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            let (_, after_name) = stat.rsplit_once(')')?;
            after_name.trim_start().chars().next()
        });
    !matches!(state, None | Some('Z' | 'X'))
}
