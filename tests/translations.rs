//! Every word the window shows has its Korean translation: a string added to the QML
//! without one fails here (the sentences made in Rust are checked in `src/i18n`). And
//! the real binary speaks Korean where the system does: `--help`, its errors, its log.

mod common;

use std::collections::BTreeMap;
use std::process::{Command, Output, Stdio};

const QML: &str = include_str!("../qml/main.qml");
const KOREAN: &str = include_str!("../qml/i18n/qml_ko.ts");

/// The strings main.qml passes to qsTr.
fn qml_strings() -> Vec<String> {
    QML.split("qsTr(\"")
        .skip(1)
        .map(|rest| {
            // The string literal: up to the first quote that is not escaped.
            let mut text = String::new();
            let mut chars = rest.chars();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => text.extend(chars.next()),
                    '"' => break,
                    c => text.push(c),
                }
            }
            text
        })
        .collect()
}

/// The .ts file's translations: source -> translation (`None` when unfinished).
fn translations() -> BTreeMap<String, Option<String>> {
    let unescape = |s: &str| {
        s.replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    };
    KOREAN
        .split("<message")
        .skip(1)
        .map(|message| {
            let source = message
                .split("<source>")
                .nth(1)
                .unwrap()
                .split("</source>")
                .next()
                .unwrap();
            let translation = message.split("<translation").nth(1).unwrap();
            let finished = !translation.starts_with(" type=\"unfinished\"");
            // A plural (`<message numerus="yes">`): Korean has one form.
            let translation = match translation.split_once("<numerusform") {
                Some((_, form)) => form,
                None => translation,
            };
            let text = translation
                .split('>')
                .nth(1)
                .unwrap()
                .split("</")
                .next()
                .unwrap();
            (
                unescape(source),
                (finished && !text.is_empty()).then(|| unescape(text)),
            )
        })
        .collect()
}

#[test]
fn every_word_of_the_window_has_a_korean_translation() {
    let korean = translations();
    let missing: Vec<String> = qml_strings()
        .into_iter()
        .filter(|s| !matches!(korean.get(s), Some(Some(_))))
        .collect();
    assert!(
        missing.is_empty(),
        "no Korean for {missing:?}: add them to qml/i18n/qml_ko.ts (lupdate qml/main.qml -ts qml/i18n/qml_ko.ts)"
    );
}

#[test]
fn the_course_words_stay_as_the_slides_show_them() {
    let korean = translations();
    for word in ["Listen", "Connect", "Send", "Close"] {
        assert_eq!(korean[word].as_deref(), Some(word), "{word}");
    }
    assert_eq!(korean["Auto-reply"].as_deref(), Some("자동 응답"));
}

/// Runs tcp-chat with `args` under the system language `lang` (as `LANG`, the others
/// unset), with nothing on stdin, and waits for it to leave.
fn run_in(lang: &str, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tcp-chat"));
    command
        .args(args)
        .arg("--no-discovery")
        .env("LANG", lang)
        .env_remove("LANGUAGE")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("XDG_CONFIG_HOME", common::test_config_home())
        .stdin(Stdio::null());
    let child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = child.expect("tcp-chat starts");
    let deadline = std::time::Instant::now() + common::DEADLINE;
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!(
                "tcp-chat {args:?} did not leave within {:?}",
                common::DEADLINE
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    child.wait_with_output().unwrap()
}

fn hangul(text: &str) -> bool {
    text.chars().any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c))
}

#[test]
fn help_is_korean_under_a_korean_locale_and_english_with_lang_en() {
    let out = run_in("ko_KR.UTF-8", &["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8(out.stdout).unwrap();
    for heading in ["사용법:", "옵션:"] {
        assert!(help.contains(heading), "no {heading} in:\n{help}");
    }
    for english in ["Usage", "Options", "Print", "default:", "possible values"] {
        assert!(!help.contains(english), "{english} in:\n{help}");
    }
    let options: Vec<&str> = help
        .lines()
        .filter(|l| l.trim_start().starts_with('-'))
        .collect();
    assert!(options.len() >= 18, "{help}");
    for line in options {
        assert!(hangul(line), "an option without Korean: {line}");
    }

    let out = run_in("ko_KR.UTF-8", &["--lang", "en", "--help"]);
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(help.contains("Usage: tcp-chat [OPTIONS]"), "{help}");
    assert!(!hangul(&help), "{help}");
    let out = run_in("C.UTF-8", &["--lang=ko", "--help"]);
    assert!(hangul(&String::from_utf8(out.stdout).unwrap()));
}

#[test]
fn a_mistake_on_the_command_line_is_one_korean_sentence() {
    let out = run_in("ko_KR.UTF-8", &["--port", "99999"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "tcp-chat: --port: 99999은(는) 포트가 아닙니다: 포트는 1부터 65535까지의 숫자입니다\n"
    );
    let out = run_in("ko_KR.UTF-8", &["--terminal", "--no-such-option"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("tcp-chat: --no-such-option: 그런 옵션은 없습니다"),
        "{stderr}"
    );
}

#[test]
fn the_log_and_its_errors_are_korean_with_the_course_words_kept() {
    let port = common::free_port();
    let address = format!("127.0.0.1:{port}");
    let out = run_in("ko_KR.UTF-8", &["--terminal", "--connect", &address]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!("{address}에 접속하는 중 ...\n")
    );
    // The sentence after the course's `Error : ` is Korean, and names the terminal's
    // command where the window's says to press a button.
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        format!(
            "Error : 127.0.0.1 포트 {port}번에서 기다리는 서버가 없습니다: 상대편에서 먼저 \
             Listen을 누르거나 포트를 확인하세요\n"
        )
    );
    let out = run_in(
        "ko_KR.UTF-8",
        &["--terminal", "--lang", "en", "--connect", &address],
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with("Error : nothing is listening on 127.0.0.1"),
        "{stderr}"
    );
}
