//! Every word the window shows has its Korean translation: a string added to the QML
//! without one fails here.

use std::collections::BTreeMap;

const QML: &str = include_str!("../qml/main.qml");
const KOREAN: &str = include_str!("../qml/i18n/qml_ko.ts");

/// The strings main.qml passes to qsTr.
fn qml_strings() -> Vec<String> {
    QML.split("qsTr(\"")
        .skip(1)
        .map(|rest| rest.split("\")").next().unwrap().replace("\\\"", "\""))
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
        .split("<message>")
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
            let text = translation
                .split('>')
                .nth(1)
                .unwrap()
                .split("</translation")
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
