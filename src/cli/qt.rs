//! Qt's own options (see QGuiApplication's docs): Qt reads them from the process's
//! arguments itself, so clap must not see them.

use std::ffi::OsString;

/// Qt options that take a value, and those that do not (see QGuiApplication's docs).
const QT_OPTIONS_WITH_VALUE: &[&str] = &[
    "platform",
    "platformpluginpath",
    "platformtheme",
    "plugin",
    "qmljsdebugger",
    "style",
    "stylesheet",
    "qwindowgeometry",
    "qwindowtitle",
    "qwindowicon",
    "display",
    "geometry",
    "session",
    "name",
    "title",
    "fn",
    "font",
    "bg",
    "background",
    "fg",
    "foreground",
    "btn",
    "button",
    "visual",
    "im",
    "inputstyle",
];
const QT_FLAGS: &[&str] = &[
    "reverse",
    "nograb",
    "dograb",
    "sync",
    "widgetcount",
    "testability",
];

/// Our own arguments, without Qt's (which Qt takes from the process's arguments itself).
/// Qt's options that tcp-chat takes for itself when written with two dashes.
const OURS: &[&str] = &["name"];

pub fn without_qt_options(args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    let mut out = Vec::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let text = arg.to_string_lossy();
        let name = text
            .strip_prefix("--")
            .or_else(|| text.strip_prefix('-'))
            .unwrap_or("");
        let (name, inline_value) = match name.split_once('=') {
            Some((name, _)) => (name, true),
            None => (name, false),
        };
        // `--name` is tcp-chat's (the name it is announced by); `-name` stays Qt's.
        let ours = text.starts_with("--") && OURS.contains(&name);
        if ours {
            out.push(arg);
        } else if QT_OPTIONS_WITH_VALUE.contains(&name) {
            if !inline_value {
                args.next();
            }
        } else if !QT_FLAGS.contains(&name) {
            out.push(arg);
        }
    }
    out
}
