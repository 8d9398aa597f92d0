//! Starts the window (parses the command line, then hands over to Qt), or with
//! `--terminal` the chat in this terminal, without Qt.

use cxx_qt_lib::{QGuiApplication, QQmlApplicationEngine, QUrl};
use tcp_chat::{cli, tr};

const MAIN_QML: &str = "qrc:/qt/qml/TcpChat/qml/main.qml";

fn main() -> anyhow::Result<()> {
    tcp_chat::engine::limit_heaps();
    let cli = cli::parse();
    if cli.terminal {
        std::process::exit(tcp_chat::terminal::run(cli.into()));
    }
    cli::set_startup(tcp_chat::settings::window_startup(cli));
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if let Some(sentence) = tcp_chat::display::missing_display(&args) {
        eprintln!("{sentence}");
        std::process::exit(2);
    }
    tcp_chat::render::choose_scene_graph();
    // Told to end: the LAN announcement goes at once, then the window closes as by its
    // close button (settings and transcript kept), or the process ends 3 s later.
    tcp_chat::signals::watch(|signal| {
        for window in tcp_chat::bridge::created_backends() {
            let _ = window.queue(|this| this.quit_requested());
        }
        std::thread::sleep(std::time::Duration::from_secs(3));
        std::process::exit(128 + signal);
    });

    let mut app = QGuiApplication::new();
    let mut engine = QQmlApplicationEngine::new();
    let (Some(app_ref), Some(mut engine_ref)) = (app.as_mut(), engine.as_mut()) else {
        anyhow::bail!(tr!("qt-not-started"));
    };
    engine_ref
        .as_mut()
        .on_object_creation_failed(|_, url| {
            eprintln!("{}", tr!("window-not-created", url = url.to_string()));
            std::process::exit(1);
        })
        .release();
    engine_ref.as_mut().load(&QUrl::from(MAIN_QML));
    let code = app_ref.exec();
    // What the window remembers, now that it is gone.
    tcp_chat::settings::save_kept();
    // Leave at once: nothing of ours may keep a windowless process alive.
    drop(engine);
    std::process::exit(code)
}
