//! Starts the window (parses the command line, then hands over to Qt), or with
//! `--terminal` the chat in this terminal, without Qt. What either starts with is made
//! here and handed over; one [`Stop`] ends the run, whether asked for or signalled.

use cxx_qt_lib::{QGuiApplication, QQmlApplicationEngine};
use tcp_chat::engine::stop::{Cause, Stop};
use tcp_chat::startup::{Startup, WindowStart};
use tcp_chat::{bridge, cli, settings, signals, tr};

fn main() -> anyhow::Result<()> {
    tcp_chat::engine::limit_heaps();
    let cli = cli::parse();
    let stop = Stop::new();
    if cli.terminal {
        signals::watch(stop.clone(), signals::Ender::SignalThread);
        let speech = tcp_chat::i18n::Speech::terminal();
        let code = tcp_chat::terminal::run(Startup::from(cli), speech, &stop);
        stop.request(Cause::Asked);
        std::process::exit(stop.cause().map_or(code, |cause| cause.exit_code(code)));
    }
    let start = WindowStart::from_cli(&cli);
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if let Some(sentence) = tcp_chat::display::missing_display(&args) {
        eprintln!("{sentence}");
        std::process::exit(2);
    }
    tcp_chat::render::choose_scene_graph();
    // The window's own part of a stop: what it remembers is written before the process
    // may end.
    let window_part = stop.working();
    signals::watch(stop.clone(), signals::Ender::MainThread);

    let mut app = QGuiApplication::new();
    let mut engine = QQmlApplicationEngine::new();
    let mut backend = bridge::new_window(start, &stop);
    let (Some(app_ref), Some(mut engine_ref), Some(backend_ref)) =
        (app.as_mut(), engine.as_mut(), backend.as_mut())
    else {
        anyhow::bail!(tr!("qt-not-started"));
    };
    engine_ref
        .as_mut()
        .on_object_creation_failed(|_, url| {
            eprintln!("{}", tr!("window-not-created", url = url.to_string()));
            std::process::exit(1);
        })
        .release();
    bridge::load_window(engine_ref, backend_ref);
    let code = app_ref.exec();
    // The window is gone: what it remembers is written first, then the session ends in
    // its one order (the announcement goes with the chat), and the stop is complete.
    drop(engine);
    if let Some((path, saved)) = backend.settings_to_save() {
        settings::save_or_say(&path, &saved);
    }
    drop(backend);
    stop.request(Cause::Asked);
    window_part.done();
    // Leave at once: nothing of ours may keep a windowless process alive.
    std::process::exit(stop.cause().map_or(code, |cause| cause.exit_code(code)))
}
