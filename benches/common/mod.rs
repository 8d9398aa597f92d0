//! What the benchmarks share: the real window (qml/main.qml with its ChatBackend),
//! loaded in this process so that its log model can be watched.

#[path = "../../tests/common/process.rs"]
pub mod process;
#[path = "../../tests/common/xvfb.rs"]
pub mod xvfb;

use cxx::UniquePtr;
use cxx_qt::CxxQtThread;
use cxx_qt_lib::{QGuiApplication, QQmlApplicationEngine, QUrl};
use tcp_chat::bridge::{created_backends, ChatBackend};

/// Loads the window as `tcp-chat` does (same QML, same scene graph choice). Returns the
/// application, the engine (drop it before the application) and the window's backend.
pub fn open_window() -> (
    UniquePtr<QGuiApplication>,
    UniquePtr<QQmlApplicationEngine>,
    CxxQtThread<ChatBackend>,
) {
    tcp_chat::render::choose_scene_graph();
    let app = QGuiApplication::new();
    let mut engine = QQmlApplicationEngine::new();
    if let Some(engine) = engine.as_mut() {
        engine.load(&QUrl::from("qrc:/qt/qml/TcpChat/qml/main.qml"));
    }
    let window = created_backends()
        .into_iter()
        .next()
        .expect("the window's ChatBackend");
    (app, engine, window)
}
