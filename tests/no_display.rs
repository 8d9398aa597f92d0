//! Started with no display (over SSH, say), the window says what to do in one sentence
//! and exits with 2 at once, instead of Qt aborting with a core dump.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs tcp-chat with `display` (or none) and no other display or platform set; returns
/// its exit code, what it printed on stderr, and how long it took.
fn run_with(display: Option<&str>) -> (Option<i32>, String, Duration) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tcp-chat"));
    command
        .args(["--listen", "--port", "0", "--no-discovery"])
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("QT_QPA_PLATFORM")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(display) = display {
        command.env("DISPLAY", display);
    }
    let started = Instant::now();
    let mut child = command.spawn().unwrap();
    let deadline = started + Duration::from_secs(10);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("tcp-chat was still running after 10 s with no display");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let took = started.elapsed();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        took,
    )
}

fn says_one_sentence_and_exits_2(display: Option<&str>, mentions: &str) {
    let (code, said, took) = run_with(display);
    assert_eq!(
        code,
        Some(2),
        "exit code (None: killed by a signal); it said:\n{said}"
    );
    assert!(took < Duration::from_secs(2), "took {took:?}");
    let lines: Vec<&str> = said.lines().collect();
    assert_eq!(lines.len(), 1, "not one sentence:\n{said}");
    assert!(lines[0].contains(mentions), "{said}");
    assert!(lines[0].contains("tcp-chat --terminal"), "{said}");
    assert!(lines[0].contains("-platform offscreen"), "{said}");
}

#[test]
fn with_no_display_set_it_says_so_and_exits_with_2() {
    says_one_sentence_and_exits_2(None, "no display");
}

#[test]
fn with_a_display_that_does_not_answer_it_says_so_and_exits_with_2() {
    // Display numbers this high are never in use here.
    says_one_sentence_and_exits_2(Some(":65001"), ":65001 does not answer");
}
