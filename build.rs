use cxx_qt_build::{CxxQtBuilder, QmlModule};
use std::path::{Path, PathBuf};

/// The window's translations, kept as Qt Linguist sources (`qml/i18n/*.ts`).
/// English has one: its plural forms.
const TRANSLATIONS: &[&str] = &["qml_ko", "qml_en"];

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let qrc = translations(&out);
    CxxQtBuilder::new_qml_module(
        QmlModule::new("TcpChat").qml_files(["qml/main.qml", "qml/SaveDialog.qml"]),
    )
    // Only the bridge is watched: the default watches the whole crate (target/ too)
    // and re-runs this script on every build.
    .crate_include_root(None)
    .files(["src/bridge.rs"])
    .qrc(qrc)
    .build();
}

/// Builds each `.ts` into a `.qm` with Qt's lrelease (Debian's qt6-l10n-tools, a tool of
/// the build machine also when cross-building) and lists them as resources beside
/// main.qml, in `i18n/`, where QQmlApplicationEngine loads the one of the system's
/// language by itself. Returns the resource file.
fn translations(out: &Path) -> PathBuf {
    let lrelease = std::env::var_os("LRELEASE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/lib/qt6/bin/lrelease"));
    let mut files = String::new();
    for name in TRANSLATIONS {
        let ts = format!("qml/i18n/{name}.ts");
        println!("cargo::rerun-if-changed={ts}");
        let qm = out.join(format!("{name}.qm"));
        let status = std::process::Command::new(&lrelease)
            .args(["-silent", &ts, "-qm"])
            .arg(&qm)
            .status()
            .unwrap_or_else(|e| {
                panic!(
                    "{} could not run ({e}): install Qt's translation tools (apt-get install qt6-l10n-tools)",
                    lrelease.display()
                )
            });
        assert!(status.success(), "lrelease could not build {ts}");
        files.push_str(&format!(
            "    <file alias=\"{name}.qm\">{}</file>\n",
            qm.display()
        ));
        // A language with no file of its own (German, say) gets the English plurals:
        // Qt's last try is the name with no language.
        if *name == "qml_en" {
            files.push_str(&format!(
                "    <file alias=\"qml.qm\">{}</file>\n",
                qm.display()
            ));
        }
    }
    // Where the tests find the .qm files (the QML tests load them beside their own files).
    println!("cargo::rustc-env=TCP_CHAT_QM_DIR={}", out.display());
    let qrc = out.join("i18n.qrc");
    std::fs::write(
        &qrc,
        format!("<RCC>\n  <qresource prefix=\"/qt/qml/TcpChat/qml/i18n\">\n{files}  </qresource>\n</RCC>\n"),
    )
    .expect("write the translations' resource file");
    qrc
}
