use cxx_qt_build::{CxxQtBuilder, QmlModule};

fn main() {
    CxxQtBuilder::new_qml_module(QmlModule::new("TcpChat").qml_file("qml/main.qml"))
        // Only the bridge is watched: the default watches the whole crate (target/ too)
        // and re-runs this script on every build.
        .crate_include_root(None)
        .files(["src/bridge.rs"])
        .build();
}
