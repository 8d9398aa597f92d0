//! The real QML window on Qt's offscreen platform: each `tests/qml/tst_*.qml` file loads
//! the window (and, where it needs one, a second chat as its peer over loopback), checks
//! what a person would see, and quits with 0 when all is well.
//!
//! Files called `tst_ko_*.qml` run in a second process under `LANG=ko_KR.UTF-8`: Qt
//! loads the window's Korean (`i18n/qml_ko.qm`, beside the test files as beside
//! main.qml in the program), and the sentences made in Rust follow the same language.
//!
//! Runs without the test harness so that Qt lives on the main thread.

use cxx_qt_lib::{QGuiApplication, QQmlApplicationEngine, QString, QUrl};
use std::path::PathBuf;
use std::time::Duration;
use tcp_chat as _; // links the TcpChat QML module

/// A test file that hangs is failed by its own timer long before this.
const WATCHDOG: Duration = Duration::from_secs(120);

fn main() {
    std::env::set_var("QT_QPA_PLATFORM", "offscreen");
    std::env::set_var("QT_QUICK_BACKEND", "software");
    // Lets a test read back a file the window saved.
    std::env::set_var("QML_XHR_ALLOW_FILE_READ", "1");
    std::thread::spawn(|| {
        std::thread::sleep(WATCHDOG);
        eprintln!("window tests: still running after {WATCHDOG:?}, giving up");
        std::process::exit(1);
    });
    let dir = test_files();
    let korean_run = std::env::var_os(KOREAN_RUN).is_some();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/qml")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("tst_"))
        })
        .collect();
    files.sort();
    let filter = name_filter(std::env::args().skip(1));

    let mut app = QGuiApplication::new();
    let mut failed = 0;
    let mut passed = 0;
    for file in files {
        let name = file.file_stem().unwrap().to_string_lossy().into_owned();
        if filter.as_ref().is_some_and(|f| !name.contains(f.as_str())) {
            continue;
        }
        let korean = name.starts_with("tst_ko_");
        if korean && !korean_run {
            // Qt reads the system's language once: a process of its own.
            let status = std::process::Command::new(std::env::current_exe().unwrap())
                .arg(&name)
                .env(KOREAN_RUN, "1")
                .env("LANG", "ko_KR.UTF-8")
                .env_remove("LANGUAGE")
                .env_remove("LC_ALL")
                .env_remove("LC_MESSAGES")
                .status()
                .expect("the window tests start again");
            if status.success() {
                passed += 1;
            } else {
                println!("test {name} ... FAILED (in Korean)");
                failed += 1;
            }
            continue;
        }
        if korean != korean_run {
            continue;
        }
        let mut engine = QQmlApplicationEngine::new();
        if let Some(engine) = engine.as_mut() {
            let url = QUrl::from(&QString::from(
                format!("file://{}", file.display()).as_str(),
            ));
            engine.load(&url);
        }
        let code = app.as_mut().map_or(1, |app| app.exec());
        drop(engine);
        if code == 0 {
            println!("test {name} ... ok");
            passed += 1;
        } else {
            println!("test {name} ... FAILED (exit {code})");
            failed += 1;
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!("\n{passed} passed, {failed} failed");
    std::process::exit(i32::from(failed > 0));
}

/// Set in the second process, which runs the Korean files.
const KOREAN_RUN: &str = "TCP_CHAT_KOREAN_QML_RUN";

/// The test files, copied with the window's translations beside them (`i18n/`), as
/// main.qml has them in the program.
fn test_files() -> PathBuf {
    let from = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/qml");
    let to = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("qml-{}", std::process::id()));
    std::fs::create_dir_all(to.join("i18n")).expect("a folder for the QML tests");
    for entry in std::fs::read_dir(&from).expect("tests/qml").flatten() {
        std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy a QML test");
    }
    for name in ["qml_ko.qm", "qml_en.qm"] {
        let qm = PathBuf::from(env!("TCP_CHAT_QM_DIR")).join(name);
        std::fs::copy(&qm, to.join("i18n").join(name)).expect("a built .qm");
    }
    to
}

/// The test-name filter among the arguments cargo passes on, as libtest reads it: the
/// first argument that is neither an option nor the value of one (`--test-threads 1`).
fn name_filter(args: impl Iterator<Item = String>) -> Option<String> {
    const TAKES_VALUE: [&str; 6] = [
        "--test-threads",
        "--skip",
        "--color",
        "--format",
        "--logfile",
        "-Z",
    ];
    let mut args = args;
    while let Some(arg) = args.next() {
        if TAKES_VALUE.contains(&arg.as_str()) {
            args.next();
        } else if !arg.starts_with('-') {
            return Some(arg);
        }
    }
    None
}
