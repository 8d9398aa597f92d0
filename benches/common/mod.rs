//! What the benchmarks share: the real window (qml/main.qml with its ChatBackend),
//! loaded in this process so that its log model can be watched.

pub mod limits;
#[path = "../../tests/common/ports.rs"]
pub mod ports;
#[path = "../../tests/common/process.rs"]
pub mod process;
#[path = "../../tests/common/xvfb.rs"]
pub mod xvfb;

use cxx::UniquePtr;
use cxx_qt::CxxQtThread;
use cxx_qt::Threading;
use cxx_qt_lib::{QGuiApplication, QQmlApplicationEngine};
use tcp_chat::bridge::{load_window, new_window, ChatBackend};
use tcp_chat::engine::Stop;
use tcp_chat::startup::WindowStart;

/// The window as `tcp-chat` loads it (same QML, same scene graph choice): drop the
/// engine first, then the backend, then the application.
pub struct Window {
    pub app: UniquePtr<QGuiApplication>,
    pub engine: UniquePtr<QQmlApplicationEngine>,
    pub backend: UniquePtr<ChatBackend>,
    /// Reaches the backend on the Qt thread from other threads.
    pub handle: CxxQtThread<ChatBackend>,
}

/// Loads the window as `tcp-chat` does, with the defaults (`start`'s).
pub fn open_window(start: WindowStart) -> Window {
    tcp_chat::render::choose_scene_graph();
    let app = QGuiApplication::new();
    let mut engine = QQmlApplicationEngine::new();
    let mut backend = new_window(start, &Stop::new());
    let handle = backend.pin_mut().qt_thread();
    if let (Some(engine), Some(backend)) = (engine.as_mut(), backend.as_mut()) {
        load_window(engine, backend);
    }
    Window {
        app,
        engine,
        backend,
        handle,
    }
}
