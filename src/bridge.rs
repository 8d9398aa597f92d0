#[cxx_qt::bridge]
pub mod qobject {
    unsafe extern "C++" {
        include!("cxx-qt-lib/qstring.h");
        type QString = cxx_qt_lib::QString;
    }
    extern "RustQt" {
        #[qobject]
        #[qml_element]
        #[qproperty(QString, title)]
        type Chat = super::ChatRust;
    }
}
#[derive(Default)]
pub struct ChatRust { title: cxx_qt_lib::QString }
