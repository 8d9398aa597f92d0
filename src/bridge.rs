//! The one QObject the window binds to: the Listen/Connect/Send invokables, the state as
//! properties, and the log as a list model.
//!
//! `main` makes the object, hands it what the window starts with ([`ChatBackend::begin`]:
//! the [`WindowStart`] and the run's [`Stop`]) and gives it to QML as the window's
//! required property `chat` ([`load_window`]); QML never reads a global. Engine threads
//! never touch this object. They put events in the session's queue, whose wake-up queues
//! one call of `drain` on the Qt thread per batch; `drain` turns the batch into rows in
//! one insert and refreshes the properties from the engine's status.

#[cxx_qt::bridge]
pub mod qobject {
    unsafe extern "C++Qt" {
        include!(<QtCore/QAbstractListModel>);
        #[qobject]
        type QAbstractListModel;
    }

    unsafe extern "C++" {
        include!("cxx-qt-lib/qstring.h");
        type QString = cxx_qt_lib::QString;
        include!("cxx-qt-lib/qhash.h");
        type QHash_i32_QByteArray = cxx_qt_lib::QHash<cxx_qt_lib::QHashPair_i32_QByteArray>;
        include!("cxx-qt-lib/qvariant.h");
        type QVariant = cxx_qt_lib::QVariant;
        include!("cxx-qt-lib/qmodelindex.h");
        type QModelIndex = cxx_qt_lib::QModelIndex;
        include!("cxx-qt-lib/qurl.h");
        type QUrl = cxx_qt_lib::QUrl;
        include!("cxx-qt-lib/qvector.h");
        type QVector_i32 = cxx_qt_lib::QVector<i32>;
        include!("cxx-qt-lib/qstringlist.h");
        type QStringList = cxx_qt_lib::QStringList;
    }

    extern "RustQt" {
        #[qobject]
        #[base = QAbstractListModel]
        #[qml_element]
        /// What the chat is doing, as the window's status says it: the connection first,
        /// then the listener.
        #[qproperty(ChatState, state)]
        /// Listening on a port (the Listen button's side; whatever the connection does).
        #[qproperty(bool, listening)]
        /// The port listened on (the real one when 0 was asked for); 0 when not listening.
        #[qproperty(i32, listen_port, cxx_name = "listenPort")]
        /// Peers connected, to our listener and through our connection together.
        #[qproperty(i32, peer_count, cxx_name = "peerCount")]
        /// This machine's host name.
        #[qproperty(QString, host_name, cxx_name = "hostName")]
        /// This machine's addresses, most useful first, separated by ", ".
        #[qproperty(QString, addresses)]
        /// What the address field starts with.
        #[qproperty(QString, initial_host, cxx_name = "initialHost")]
        /// What the port field starts with.
        #[qproperty(QString, initial_port, cxx_name = "initialPort")]
        /// The name the listener is announced by (the Name field); empty: the host name.
        #[qproperty(QString, name)]
        /// The auto-reply text, and whether it is on.
        #[qproperty(QString, auto_reply, cxx_name = "autoReply")]
        #[qproperty(bool, auto_reply_on, cxx_name = "autoReplyOn")]
        /// Each log line is shown after its time (the Times box, `--timestamps`).
        #[qproperty(bool, times)]
        /// Room mode (the Relay box, `--relay`).
        #[qproperty(bool, relay)]
        /// The wire view (the Wire box, `--wire`): each read and write as bytes.
        #[qproperty(bool, wire)]
        /// The window's size at start (saved last time, or the default).
        #[qproperty(i32, initial_width, cxx_name = "initialWidth")]
        #[qproperty(i32, initial_height, cxx_name = "initialHeight")]
        /// The tcp-chat listeners found on the LAN, ours left out: a list model, the
        /// same object for the window's life.
        #[qproperty(*mut NearbyModel, nearby, READ, CONSTANT)]
        /// How many listeners were found, before the filter.
        #[qproperty(i32, nearby_found, cxx_name = "nearbyFound")]
        /// The peers connected, numbered: a list model, the same object for the window's
        /// life.
        #[qproperty(*mut PeersModel, peers, READ, CONSTANT)]
        /// The listener takes no new peers (the Lock box, `/lock`).
        #[qproperty(bool, locked)]
        /// The addresses and ranges blocked while running, oldest first.
        #[qproperty(QStringList, blocked)]
        type ChatBackend = super::ChatBackendRust;

        /// Disconnect a peer of the Peers list: `out` is the connection we made, a
        /// number one of the listener's.
        #[qinvokable]
        #[cxx_name = "disconnectPeer"]
        fn disconnect_peer(self: Pin<&mut Self>, number: &QString);

        /// End a connection of the Peers list with RST instead of FIN: `out` is the
        /// connection we made, a number one of the listener's.
        #[qinvokable]
        #[cxx_name = "resetPeer"]
        fn reset_peer(self: Pin<&mut Self>, number: &QString);

        /// Disconnect every peer from `address` (or a range) and turn it away for the
        /// rest of the run; the log says so, or why not.
        #[qinvokable]
        #[cxx_name = "blockAddress"]
        fn block_address(self: Pin<&mut Self>, address: &QString);

        /// Let a blocked address (or range) connect again.
        #[qinvokable]
        #[cxx_name = "unblockAddress"]
        fn unblock_address(self: Pin<&mut Self>, address: &QString);

        /// The Peers list is shown (what TCP says of each connection is then asked about
        /// once a second, off the Qt thread) or hidden (then nothing is asked).
        #[qinvokable]
        #[cxx_name = "setPeersShown"]
        fn set_peers_shown(self: Pin<&mut Self>, shown: bool);

        /// Take no new peers (those connected stay), or take them again.
        #[qinvokable]
        #[cxx_name = "setLockedOn"]
        fn set_locked_on(self: Pin<&mut Self>, on: bool);

        /// Show only the listeners found whose name, address or host has `text` in it
        /// (any case); empty shows them all.
        #[qinvokable]
        #[cxx_name = "setNearbyFilter"]
        fn set_nearby_filter(self: Pin<&mut Self>, text: &QString);

        /// Announce the listener by `name` from now on (empty: the host name); a name
        /// that cannot be used is said in the log and changes nothing. True when taken.
        #[qinvokable]
        #[cxx_name = "setNameText"]
        fn set_name_text(self: Pin<&mut Self>, name: &QString) -> bool;

        /// Connect to the address and port typed, unless a connection is up or under way
        /// (then nothing): Enter in the address field, a pick from Nearby.
        #[qinvokable]
        #[cxx_name = "connectTo"]
        fn connect_to(self: Pin<&mut Self>, host: &QString, port: &QString);

        /// Remembers the fields and the window's size for the next start (unless
        /// `--no-settings`): written by `main` once the window is gone.
        #[qinvokable]
        #[cxx_name = "saveSettings"]
        fn save_settings(
            self: Pin<&mut Self>,
            host: &QString,
            port: &QString,
            width: i32,
            height: i32,
        );

        /// Room mode on or off: each line a peer sends to the listener goes on to every
        /// other peer.
        #[qinvokable]
        #[cxx_name = "setRelayOn"]
        fn set_relay_on(self: Pin<&mut Self>, on: bool);

        /// The wire view on or off, for every connection, those up included.
        #[qinvokable]
        #[cxx_name = "setWireOn"]
        fn set_wire_on(self: Pin<&mut Self>, on: bool);

        /// Listen on the port typed, or Close the listener when listening.
        #[qinvokable]
        #[cxx_name = "toggleListen"]
        fn toggle_listen(self: Pin<&mut Self>, port: &QString);

        /// Connect to the address and port typed, or Close the connection (or the attempt).
        #[qinvokable]
        #[cxx_name = "toggleConnect"]
        fn toggle_connect(self: Pin<&mut Self>, host: &QString, port: &QString);

        /// Send a message; true when it went out (the field may then be cleared).
        #[qinvokable]
        fn send(self: Pin<&mut Self>, text: &QString) -> bool;

        /// Send exactly the bytes the hex pairs spell (the Hex box); true when they went
        /// out, false (the log says why, nothing sent) otherwise.
        #[qinvokable]
        #[cxx_name = "sendHex"]
        fn send_hex(self: Pin<&mut Self>, text: &QString) -> bool;

        /// Change the auto-reply text, or turn it off.
        #[qinvokable]
        #[cxx_name = "setAutoReplyText"]
        fn set_auto_reply_text(self: Pin<&mut Self>, text: &QString, on: bool);

        /// Do what the command line asked for at start (--listen, --connect). An object
        /// made in QML, which nobody handed a start, begins here with the defaults.
        #[qinvokable]
        fn start(self: Pin<&mut Self>);

        /// Save the log (the lines kept) to a file, off the Qt thread; the log says how it went.
        #[qinvokable]
        #[cxx_name = "saveLog"]
        fn save_log(self: &Self, file: &QUrl);

        /// The process was told to end (SIGTERM): the window closes as by its close button.
        #[qsignal]
        #[cxx_name = "quitRequested"]
        fn quit_requested(self: Pin<&mut Self>);

        /// The whole log as text, one line each, for copying.
        #[qinvokable]
        #[cxx_name = "logText"]
        fn log_text(self: &Self) -> QString;
    }

    impl cxx_qt::Threading for ChatBackend {}

    /// What the chat is doing.
    #[qenum(ChatBackend)]
    pub enum ChatState {
        /// Neither listening nor connected.
        Idle,
        /// Listening, with no outgoing connection.
        Listening,
        /// A Connect is under way.
        Connecting,
        /// The outgoing connection is up.
        Connected,
    }

    extern "RustQt" {
        /// The tcp-chat listeners on the LAN, one row each, with the roles `name`,
        /// `address` (the one to connect to), `port`, `host` and `addresses` (all, ", "-separated).
        #[qobject]
        #[base = QAbstractListModel]
        #[qml_element]
        #[qml_uncreatable]
        type NearbyModel = super::NearbyModelRust;

        #[cxx_override]
        fn data(self: &NearbyModel, index: &QModelIndex, role: i32) -> QVariant;

        #[cxx_override]
        #[cxx_name = "roleNames"]
        fn role_names(self: &NearbyModel) -> QHash_i32_QByteArray;

        #[cxx_override]
        #[cxx_name = "rowCount"]
        fn row_count(self: &NearbyModel, parent: &QModelIndex) -> i32;

        #[inherit]
        #[cxx_name = "beginResetModel"]
        unsafe fn begin_reset_model(self: Pin<&mut NearbyModel>);
        #[inherit]
        #[cxx_name = "endResetModel"]
        unsafe fn end_reset_model(self: Pin<&mut NearbyModel>);
    }

    #[namespace = "rust::cxxqtlib1"]
    unsafe extern "C++" {
        #[doc(hidden)]
        #[rust_name = "nearby_model_new"]
        fn make_unique() -> UniquePtr<NearbyModel>;
    }

    unsafe extern "RustQt" {
        /// The peers connected, one row each, with the roles `number` (`out` for the
        /// connection we made), `remote` and `local` (`<ip> <port>`), `address` (the
        /// remote IP, for Block) and `outgoing`.
        #[qobject]
        #[base = QAbstractListModel]
        #[qml_element]
        #[qml_uncreatable]
        type PeersModel = super::PeersModelRust;

        #[cxx_override]
        fn data(self: &PeersModel, index: &QModelIndex, role: i32) -> QVariant;

        #[cxx_override]
        #[cxx_name = "roleNames"]
        fn role_names(self: &PeersModel) -> QHash_i32_QByteArray;

        #[cxx_override]
        #[cxx_name = "rowCount"]
        fn row_count(self: &PeersModel, parent: &QModelIndex) -> i32;

        #[inherit]
        #[cxx_name = "beginResetModel"]
        unsafe fn begin_reset_model(self: Pin<&mut PeersModel>);
        #[inherit]
        #[cxx_name = "endResetModel"]
        unsafe fn end_reset_model(self: Pin<&mut PeersModel>);
        #[inherit]
        fn index(self: &PeersModel, row: i32, column: i32, parent: &QModelIndex) -> QModelIndex;
        /// Rows `top_left..=bottom_right` show something else now.
        #[inherit]
        #[qsignal]
        #[cxx_name = "dataChanged"]
        fn data_changed(
            self: Pin<&mut PeersModel>,
            top_left: &QModelIndex,
            bottom_right: &QModelIndex,
            roles: &QVector_i32,
        );
    }

    #[namespace = "rust::cxxqtlib1"]
    unsafe extern "C++" {
        #[doc(hidden)]
        #[rust_name = "peers_model_new"]
        fn make_unique() -> UniquePtr<PeersModel>;
    }

    extern "RustQt" {
        #[cxx_override]
        fn data(self: &ChatBackend, index: &QModelIndex, role: i32) -> QVariant;

        #[cxx_override]
        #[cxx_name = "roleNames"]
        fn role_names(self: &ChatBackend) -> QHash_i32_QByteArray;

        #[cxx_override]
        #[cxx_name = "rowCount"]
        fn row_count(self: &ChatBackend, parent: &QModelIndex) -> i32;
    }

    unsafe extern "RustQt" {
        #[inherit]
        #[cxx_name = "beginInsertRows"]
        unsafe fn begin_insert_rows(
            self: Pin<&mut ChatBackend>,
            parent: &QModelIndex,
            first: i32,
            last: i32,
        );
        #[inherit]
        #[cxx_name = "endInsertRows"]
        unsafe fn end_insert_rows(self: Pin<&mut ChatBackend>);
        #[inherit]
        #[cxx_name = "beginRemoveRows"]
        unsafe fn begin_remove_rows(
            self: Pin<&mut ChatBackend>,
            parent: &QModelIndex,
            first: i32,
            last: i32,
        );
        #[inherit]
        #[cxx_name = "endRemoveRows"]
        unsafe fn end_remove_rows(self: Pin<&mut ChatBackend>);
        #[inherit]
        fn index(self: &ChatBackend, row: i32, column: i32, parent: &QModelIndex) -> QModelIndex;

        /// Rows `top_left..=bottom_right` show something else now (all roles when
        /// `roles` is empty).
        #[inherit]
        #[qsignal]
        #[cxx_name = "dataChanged"]
        fn data_changed(
            self: Pin<&mut ChatBackend>,
            top_left: &QModelIndex,
            bottom_right: &QModelIndex,
            roles: &QVector_i32,
        );
    }

    // Lets `main` (and a test) make the object and hand it its start.
    #[namespace = "rust::cxxqtlib1"]
    unsafe extern "C++" {
        include!("cxx-qt-lib/common.h");
        #[doc(hidden)]
        #[rust_name = "chat_backend_new"]
        fn make_unique() -> UniquePtr<ChatBackend>;
    }
}

use crate::engine::event::{Event, LineKind, SHOWN_CHARS};
use crate::engine::session::{Session, Wake};
use crate::engine::stop::Stop;
use crate::engine::Chat;
use crate::engine::{clock, hostinfo};
use crate::i18n::say::range_text;
use crate::i18n::Speech;
use crate::settings::Saved;
use crate::startup::WindowStart;
use core::pin::Pin;
use cxx_qt::casting::Upcast;
use cxx_qt::{CxxQtType, Threading};
use cxx_qt_lib::{
    QByteArray, QHash, QHashPair_i32_QByteArray, QMap, QMapPair_QString_QVariant, QModelIndex,
    QObjectMutPtr, QQmlApplicationEngine, QString, QUrl, QVariant,
};
use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

mod lists;
use lists::{NearbyModelRust, PeersModelRust};

pub use qobject::{ChatBackend, ChatState, NearbyModel, PeersModel, QAbstractListModel};

/// The least time between two batches reaching the Qt thread: at most 2,000 calls a
/// second however busy the peers are, and a line waits at most this long to be shown.
const DRAIN_INTERVAL: std::time::Duration = std::time::Duration::from_micros(500);

/// Qt::DisplayRole: the line as shown (after its time when Times is on).
const TEXT_ROLE: i32 = 0;
/// Qt::UserRole + 1: `info`, `rcv`, `send` or `error`, for the view's colours.
const KIND_ROLE: i32 = 0x0101;
/// Qt::UserRole + 2: when the line entered the log, `HH:MM:SS`.
const TIME_ROLE: i32 = 0x0102;

/// The most text the log keeps, in bytes of UTF-8 (and 64 a line): with the line limit,
/// what bounds the log's memory whatever peers send.
pub const LOG_TEXT_LIMIT: usize = 4 * 1024 * 1024;

/// Sees the events of each insert into the log's model, on the Qt thread
/// ([`ChatBackend::watch_rows`]).
#[cfg(feature = "watch-rows")]
pub type RowWatcher = Box<dyn FnMut(&mut dyn Iterator<Item = &Event>)>;

/// One line of the log, kept as the event it shows. Its words are made only when asked
/// for (the view asks for the rows it shows), so that taking a flood into the log costs
/// a move per line, not a formatted string: the Qt thread stays free.
struct Row {
    event: Event,
    /// What the row counts against [`LOG_TEXT_LIMIT`].
    bytes: usize,
    /// When it entered the log: seconds since local midnight.
    time: u32,
}

/// Room for events that the list handed back to the queue keeps once batches are small
/// again. During a flood it keeps the room its batches need: growing a new list each
/// batch made glibc consolidate the readers' heap, a third of their time in a profile.
const SPARE_EVENTS: usize = 1024;

/// What a row costs besides its text, for [`LOG_TEXT_LIMIT`].
const ROW_OVERHEAD: usize = 64;

impl Row {
    fn of(event: Event, time: u32) -> Self {
        let event = event.shortened(SHOWN_CHARS);
        Self {
            bytes: event.text_len() + ROW_OVERHEAD,
            event,
            time,
        }
    }

    /// What `Row::of(event, _).bytes` will be, without making the row.
    fn bytes_of(event: &Event) -> usize {
        event.shortened_len(SHOWN_CHARS) + ROW_OVERHEAD
    }

    fn text(&self, speech: Speech) -> String {
        speech.log_line(&self.event).1
    }

    /// The line as the log shows it: after its time when Times is on.
    fn shown(&self, speech: Speech, times: bool) -> String {
        clock::shown_line(&self.text(speech), self.time, times)
    }
}

/// The Rust side of [`ChatBackend`].
pub struct ChatBackendRust {
    name: QString,
    state: ChatState,
    listening: bool,
    listen_port: i32,
    peer_count: i32,
    host_name: QString,
    addresses: QString,
    initial_host: QString,
    initial_port: QString,
    auto_reply: QString,
    auto_reply_on: bool,
    times: bool,
    relay: bool,
    wire: bool,
    initial_width: i32,
    initial_height: i32,
    /// Points at `nearby_model`, for QML.
    nearby: *mut NearbyModel,
    nearby_model: cxx::UniquePtr<NearbyModel>,
    nearby_found: i32,
    /// Points at `peers_model`, for QML.
    peers: *mut PeersModel,
    peers_model: cxx::UniquePtr<PeersModel>,
    /// The engine's count of comings and goings when the Peers list was last made.
    peers_seen: Option<u64>,
    /// Whether the Peers list is shown, shared with the thread that asks TCP.
    peers_shown: Arc<(std::sync::Mutex<bool>, std::sync::Condvar)>,
    locked: bool,
    blocked: cxx_qt_lib::QStringList,

    /// The engine's session: made in `begin`, once the object can be reached from threads.
    session: Option<Session>,
    /// The newest log lines: at most `max_rows` of them, with at most LOG_TEXT_LIMIT
    /// bytes of text in all.
    rows: VecDeque<Row>,
    max_rows: usize,
    /// Bytes of text in `rows`.
    row_bytes: usize,
    /// How many lines the log has had in all, including those no longer kept.
    total_lines: u64,
    /// How many rows were ever inserted into the model.
    rows_inserted: u64,
    /// How many lines never became rows: newer lines taken in the same turn filled the
    /// log's bounds on their own, so these would have been removed as they came.
    passed_over: u64,
    /// The list the queue's events were last taken in, emptied, handed back on the next
    /// drain for the queue to fill (see `EventQueue::try_drain_into`).
    spare_events: Vec<Event>,
    /// Sees every insert into the model (the `watch-rows` feature only).
    #[cfg(feature = "watch-rows")]
    watcher: Option<RowWatcher>,
    /// What the window started with (the defaults until `begin`).
    start: WindowStart,
    /// What `saveSettings` asked to write once the window is gone.
    to_save: Option<(PathBuf, Saved)>,
}

impl Default for ChatBackendRust {
    /// Idle until [`ChatBackend::begin`] (or, made in QML, `start`).
    fn default() -> Self {
        let start = WindowStart::default();
        let nearby_model = qobject::nearby_model_new();
        let peers_model = qobject::peers_model_new();
        Self {
            state: ChatState::Idle,
            listening: false,
            listen_port: 0,
            peer_count: 0,
            host_name: QString::from(hostinfo::host_name().as_str()),
            addresses: QString::from(hostinfo::local_addresses().join(", ").as_str()),
            initial_host: QString::default(),
            initial_port: QString::default(),
            auto_reply_on: false,
            times: false,
            relay: false,
            wire: false,
            initial_width: 0,
            initial_height: 0,
            nearby: nearby_model.as_mut_ptr(),
            nearby_model,
            nearby_found: 0,
            peers: peers_model.as_mut_ptr(),
            peers_model,
            peers_seen: None,
            peers_shown: Arc::default(),
            locked: false,
            blocked: cxx_qt_lib::QStringList::default(),
            auto_reply: QString::default(),
            name: QString::default(),
            session: None,
            rows: VecDeque::new(),
            max_rows: start.log_lines.max(1),
            row_bytes: 0,
            total_lines: 0,
            rows_inserted: 0,
            passed_over: 0,
            spare_events: Vec::new(),
            #[cfg(feature = "watch-rows")]
            watcher: None,
            start,
            to_save: None,
        }
    }
}

/// Makes the window's object and hands it its start: what `main` does before QML loads.
pub fn new_window(start: WindowStart, stop: &Stop) -> cxx::UniquePtr<ChatBackend> {
    let mut backend = qobject::chat_backend_new();
    backend.pin_mut().begin(start, stop.clone());
    backend
}

/// Makes an object with the defaults, begun, for tests that drive it with a Qt event loop.
pub fn new_backend() -> cxx::UniquePtr<ChatBackend> {
    new_window(WindowStart::default(), &Stop::new())
}

/// Where the window's QML is, in the program's resources.
pub const MAIN_QML: &str = "qrc:/qt/qml/TcpChat/qml/main.qml";

/// Loads the window (qml/main.qml) into `engine` with `backend` as its `chat`. The
/// backend must outlive the window: drop the engine first.
pub fn load_window(engine: Pin<&mut QQmlApplicationEngine>, backend: Pin<&mut ChatBackend>) {
    let object: Pin<&mut cxx_qt::QObject> = backend.model().upcast_pin();
    let object = std::ptr::from_ref::<cxx_qt::QObject>(&object).cast_mut();
    // SAFETY: QML uses the pointer only while the window lives, and the caller keeps the
    // backend alive longer than the engine.
    let pointer = unsafe { QObjectMutPtr::from_raw(object) };
    let mut properties = QMap::<QMapPair_QString_QVariant>::default();
    properties.insert(QString::from("chat"), QVariant::from(&pointer));
    let mut engine = engine;
    engine.as_mut().set_initial_properties(&properties);
    engine.load(&QUrl::from(MAIN_QML));
}

impl ChatBackend {
    fn chat(self: Pin<&mut Self>) -> Option<&mut Chat> {
        self.rust_mut()
            .get_mut()
            .session
            .as_mut()
            .map(Session::chat)
    }

    /// Takes what the window starts with and opens the session: the queue (woken onto
    /// the Qt thread), the transcript, the chat and discovery. `stop` is the run's: when
    /// it is requested (SIGTERM), the window closes as by its close button. Once only.
    pub fn begin(mut self: Pin<&mut Self>, start: WindowStart, stop: Stop) {
        if self.session.is_some() {
            return;
        }
        let chat = &start.chat;
        self.as_mut()
            .set_initial_host(QString::from(chat.host.as_str()));
        self.as_mut()
            .set_initial_port(QString::from(chat.port.as_str()));
        self.as_mut()
            .set_auto_reply(QString::from(chat.auto_reply_text.as_str()));
        self.as_mut()
            .set_auto_reply_on(chat.settings.auto_reply.is_some());
        self.as_mut().set_times(chat.timestamps);
        self.as_mut().set_name(QString::from(
            chat.settings.name.as_deref().unwrap_or_default(),
        ));
        self.as_mut().set_relay(chat.settings.relay);
        self.as_mut().set_wire(chat.settings.wire);
        self.as_mut()
            .set_initial_width(i32::try_from(start.width).unwrap_or(640));
        self.as_mut()
            .set_initial_height(i32::try_from(start.height).unwrap_or(480));

        let qt_thread = self.qt_thread();
        let nearby_changed = qt_thread.clone();
        // One refresh waits at a time, however fast announcements come.
        let refresh_pending = Arc::new(AtomicBool::new(false));
        let drainer = qt_thread.clone();
        let wake = Wake::Paced {
            interval: DRAIN_INTERVAL,
            // Fails only when the object is gone, and then nobody is left to tell.
            wake: Box::new(move || {
                let _ = drainer.queue(|this| this.drain());
            }),
        };
        let session = Session::open(
            &chat.config(start.speech),
            wake,
            move || {
                if !refresh_pending.swap(true, Ordering::AcqRel) {
                    let pending = refresh_pending.clone();
                    let _ = nearby_changed.queue(move |this| {
                        pending.store(false, Ordering::Release);
                        this.refresh_nearby();
                    });
                }
            },
            &stop,
        );
        if let Some(problem) = &start.settings_problem {
            session.report(Event::Note {
                kind: LineKind::Error,
                text: problem.clone(),
            });
        }
        self.as_mut().watch_tcp();
        // Times on or off: every row reads anew.
        self.as_mut()
            .on_times_changed(|this| this.rows_read_anew())
            .release();
        // Told to end: the window closes as by its close button (settings kept).
        stop.on_request(move |_| {
            let _ = qt_thread.queue(|this| this.quit_requested());
        });
        let mut this = self.rust_mut();
        this.max_rows = start.log_lines.max(1);
        this.start = start;
        this.session = Some(session);
    }

    /// What `saveSettings` asked to remember, and where: for `main` to write once the
    /// window is gone (no file is written on the Qt thread's loop).
    pub fn settings_to_save(&self) -> Option<(PathBuf, Saved)> {
        self.to_save.clone()
    }

    pub fn toggle_listen(mut self: Pin<&mut Self>, port: &QString) {
        let port = port.to_string();
        if let Some(chat) = self.as_mut().chat() {
            if chat.status().listening {
                chat.stop_listening();
            } else {
                let _ = chat.listen(&port);
            }
        }
        self.as_mut().refresh();
    }

    pub fn toggle_connect(mut self: Pin<&mut Self>, host: &QString, port: &QString) {
        let (host, port) = (host.to_string(), port.to_string());
        if let Some(chat) = self.as_mut().chat() {
            let status = chat.status();
            if status.connected || status.connecting {
                chat.disconnect();
            } else {
                let _ = chat.connect(&host, &port);
            }
        }
        self.as_mut().refresh();
    }

    pub fn set_name_text(mut self: Pin<&mut Self>, text: &QString) -> bool {
        let text = text.to_string();
        let name = if text.trim().is_empty() {
            None
        } else {
            match crate::engine::chat::check_name(&text) {
                Ok(name) => Some(name),
                Err(e) => {
                    let sentence = self.start.speech.name_error(&e);
                    if let Some(session) = &self.session {
                        session.report(Event::Note {
                            kind: LineKind::Error,
                            text: sentence,
                        });
                    }
                    return false;
                }
            }
        };
        if let Some(chat) = self.as_mut().chat() {
            chat.set_name(name.clone());
        }
        self.set_name(QString::from(name.as_deref().unwrap_or_default()));
        true
    }

    pub fn connect_to(mut self: Pin<&mut Self>, host: &QString, port: &QString) {
        if matches!(self.state, ChatState::Idle | ChatState::Listening) {
            self.as_mut().toggle_connect(host, port);
        }
    }

    /// The outgoing connection is up.
    pub fn is_connected(&self) -> bool {
        self.state == ChatState::Connected
    }

    /// A Connect is under way.
    pub fn is_connecting(&self) -> bool {
        self.state == ChatState::Connecting
    }

    pub fn send(mut self: Pin<&mut Self>, text: &QString) -> bool {
        let text = text.to_string();
        let sent = self
            .as_mut()
            .chat()
            .is_some_and(|chat| chat.send(&text).is_ok());
        self.refresh();
        sent
    }

    pub fn send_hex(mut self: Pin<&mut Self>, text: &QString) -> bool {
        let text = text.to_string();
        let sent = self
            .as_mut()
            .chat()
            .is_some_and(|chat| chat.send_hex(&text).is_ok());
        self.refresh();
        sent
    }

    pub fn set_auto_reply_text(mut self: Pin<&mut Self>, text: &QString, on: bool) {
        let reply = on.then(|| text.to_string());
        if let Some(chat) = self.as_mut().chat() {
            chat.set_auto_reply(reply);
        }
        self.as_mut().set_auto_reply(text.clone());
        self.set_auto_reply_on(on);
    }

    pub fn set_wire_on(mut self: Pin<&mut Self>, on: bool) {
        if let Some(chat) = self.as_mut().chat() {
            chat.set_wire(on);
        }
        self.set_wire(on);
    }

    pub fn set_relay_on(mut self: Pin<&mut Self>, on: bool) {
        if let Some(chat) = self.as_mut().chat() {
            chat.set_relay(on);
        }
        self.set_relay(on);
    }

    pub fn start(mut self: Pin<&mut Self>) {
        if self.session.is_none() {
            self.as_mut().begin(WindowStart::default(), Stop::new());
        }
        let (listen, connect) = (self.start.chat.listen, self.start.chat.connect);
        let (host, port) = (self.initial_host.clone(), self.initial_port.clone());
        if listen {
            let listen_port = QString::from(self.start.chat.listen_port.as_str());
            self.as_mut().toggle_listen(&listen_port);
        }
        if connect {
            self.as_mut().toggle_connect(&host, &port);
        }
    }

    pub fn save_settings(
        self: Pin<&mut Self>,
        host: &QString,
        port: &QString,
        width: i32,
        height: i32,
    ) {
        let Some(path) = self.start.settings_file.clone() else {
            return;
        };
        let shown = crate::settings::Saved {
            host: Some(host.to_string()),
            port: Some(port.to_string()),
            auto_reply: Some(self.auto_reply().to_string()),
            auto_reply_on: Some(*self.auto_reply_on()),
            name: Some(self.name().to_string()).filter(|n| !n.is_empty()),
            width: u32::try_from(width).ok(),
            height: u32::try_from(height).ok(),
        };
        let saved = self.start.to_save(shown);
        self.rust_mut().to_save = Some((path, saved));
    }

    pub fn save_log(&self, file: &QUrl) {
        let Some(queue) = self.session.as_ref().map(|s| s.queue().clone()) else {
            return;
        };
        let path = file
            .to_local_file()
            .map(|p| p.to_string())
            .unwrap_or_else(|| file.to_qstring().to_string());
        let lines: Vec<String> = self
            .rows
            .iter()
            .map(|r| r.shown(self.start.speech, *self.times()))
            .collect();
        crate::engine::transcript::save_log(path.into(), lines, queue);
    }

    pub fn log_text(&self) -> QString {
        let lines: Vec<String> = self
            .rows
            .iter()
            .map(|r| r.shown(self.start.speech, *self.times()))
            .collect();
        QString::from(lines.join("\n").as_str())
    }

    /// The text of log line `row`, oldest kept line first (for tests and the view).
    pub fn line(&self, row: usize) -> Option<String> {
        self.rows.get(row).map(|r| r.text(self.start.speech))
    }

    /// How many log lines are kept.
    pub fn line_count(&self) -> usize {
        self.rows.len()
    }

    /// How many lines the log has had in all, including those no longer kept.
    pub fn total_lines(&self) -> u64 {
        self.total_lines
    }

    /// How many rows were ever inserted into the log's model.
    pub fn rows_inserted(&self) -> u64 {
        self.rows_inserted
    }

    /// How many lines never became rows, because newer lines taken with them filled
    /// the log's bounds alone (`total_lines` = `rows_inserted` + this).
    pub fn lines_passed_over(&self) -> u64 {
        self.passed_over
    }

    /// The event that log line `row` shows (oldest kept line first).
    pub fn event(&self, row: usize) -> Option<&Event> {
        self.rows.get(row).map(|r| &r.event)
    }

    /// The log as Qt's list model.
    pub fn model(self: Pin<&mut Self>) -> Pin<&mut qobject::QAbstractListModel> {
        self.upcast_pin()
    }

    /// Has `watcher` see the events of every insert into the log's model from now on, in
    /// order (`None`: no more). Only with the `watch-rows` feature, for the benchmark
    /// and the tests: the program never carries it.
    #[cfg(feature = "watch-rows")]
    pub fn watch_rows(self: Pin<&mut Self>, watcher: Option<RowWatcher>) {
        self.rust_mut().get_mut().watcher = watcher;
    }

    /// Takes what the engine reported since the last call into the log, in one insert.
    fn drain(mut self: Pin<&mut Self>) {
        let Some(queue) = self.session.as_ref().map(|s| s.queue().clone()) else {
            return;
        };
        let mut events = std::mem::take(&mut self.as_mut().rust_mut().spare_events);
        if !queue.try_drain_into(&mut events) {
            // A reader holds the queue: the event loop goes on, and this comes back next.
            self.as_mut().rust_mut().spare_events = events;
            let _ = self.qt_thread().queue(|this| this.drain());
            return;
        }
        if events.is_empty() {
            self.as_mut().rust_mut().spare_events = events;
            return;
        }
        self.as_mut().rust_mut().total_lines += events.len() as u64;
        let refresh_addresses = events.iter().any(|e| matches!(e, Event::Listening { .. }));
        // Only the newest lines that the log can keep become rows, each moved once.
        let time = clock::seconds_of_day(&clock::now());
        let taken = events.len();
        let (mut first, mut bytes) = (taken, 0);
        while first > 0 && taken - first < self.max_rows && bytes < LOG_TEXT_LIMIT {
            first -= 1;
            bytes += Row::bytes_of(&events[first]);
        }
        self.as_mut().rust_mut().passed_over += first as u64;
        self.as_mut()
            .append_rows(events.drain(first..).map(|e| Row::of(e, time)), bytes);
        events.clear();
        // Kept for the next batch; once batches are small again, with less room.
        if taken < events.capacity() / 8 && events.capacity() > SPARE_EVENTS {
            events.shrink_to(SPARE_EVENTS);
        }
        self.as_mut().rust_mut().spare_events = events;
        if refresh_addresses {
            let addresses = QString::from(hostinfo::local_addresses().join(", ").as_str());
            self.as_mut().set_addresses(addresses);
        }
        self.refresh();
    }

    /// Appends `new_rows` (with `new_bytes` of [`Row::bytes`] in all) to the model.
    fn append_rows(
        mut self: Pin<&mut Self>,
        new_rows: impl ExactSizeIterator<Item = Row>,
        new_bytes: usize,
    ) {
        // The oldest rows go while there are too many, or too much text, with the new.
        let max = self.max_rows;
        let mut excess = (self.rows.len() + new_rows.len()).saturating_sub(max);
        let mut kept_bytes = self.row_bytes
            - self
                .rows
                .iter()
                .take(excess)
                .map(|r| r.bytes)
                .sum::<usize>();
        while excess < self.rows.len() && kept_bytes + new_bytes > LOG_TEXT_LIMIT {
            kept_bytes -= self.rows[excess].bytes;
            excess += 1;
        }
        self.as_mut().rust_mut().row_bytes = kept_bytes + new_bytes;
        let root = QModelIndex::default();
        if excess > 0 {
            // SAFETY: begin/end pairs around the change they announce, on the Qt thread.
            unsafe {
                self.as_mut().begin_remove_rows(&root, 0, excess as i32 - 1);
                self.as_mut().rust_mut().rows.drain(..excess);
                self.as_mut().end_remove_rows();
            }
        }
        let first = self.rows.len() as i32;
        let last = first + new_rows.len() as i32 - 1;
        // SAFETY: as above.
        unsafe {
            self.as_mut().begin_insert_rows(&root, first, last);
            self.as_mut().rust_mut().rows.extend(new_rows);
            self.as_mut().end_insert_rows();
        }
        self.as_mut().rust_mut().rows_inserted += (last + 1 - first) as u64;
        #[cfg(feature = "watch-rows")]
        {
            let this = self.rust_mut().get_mut();
            if let Some(watch) = this.watcher.as_mut() {
                watch(&mut this.rows.range(first as usize..).map(|row| &row.event));
            }
        }
    }

    /// Tells the view that every row's text may have changed (Times turned on or off).
    fn rows_read_anew(self: Pin<&mut Self>) {
        let Some(last) = self.rows.len().checked_sub(1) else {
            return;
        };
        let root = QModelIndex::default();
        let (first, last) = (self.index(0, 0, &root), self.index(last as i32, 0, &root));
        self.data_changed(&first, &last, &cxx_qt_lib::QVector::default());
    }

    /// Brings the Nearby list in line with what the engine found.
    fn refresh_nearby(mut self: Pin<&mut Self>) {
        let Some(found) = self.as_mut().chat().map(|c| c.nearby()) else {
            return;
        };
        self.as_mut().set_nearby_found(found.len() as i32);
        if let Some(model) = self.rust_mut().get_mut().nearby_model.as_mut() {
            model.replace(found);
        }
    }

    pub fn set_nearby_filter(mut self: Pin<&mut Self>, text: &QString) {
        if let Some(model) = self.as_mut().rust_mut().get_mut().nearby_model.as_mut() {
            model.set_filter(text.to_string());
        }
    }

    pub fn disconnect_peer(mut self: Pin<&mut Self>, number: &QString) {
        let number = number.to_string();
        if let Some(chat) = self.as_mut().chat() {
            match number.parse::<u64>() {
                Ok(n) => {
                    let _ = chat.kick(n);
                }
                Err(_) => {
                    chat.disconnect();
                }
            }
        }
        self.refresh();
    }

    pub fn reset_peer(mut self: Pin<&mut Self>, number: &QString) {
        let number = number.to_string().parse::<u64>().ok();
        if let Some(chat) = self.as_mut().chat() {
            let _ = chat.reset(number);
        }
        self.refresh();
    }

    pub fn block_address(mut self: Pin<&mut Self>, address: &QString) {
        let address = address.to_string();
        if let Some(chat) = self.as_mut().chat() {
            let _ = chat.block(&address);
        }
        self.as_mut().show_door();
        self.refresh();
    }

    pub fn unblock_address(mut self: Pin<&mut Self>, address: &QString) {
        let address = address.to_string();
        if let Some(chat) = self.as_mut().chat() {
            let _ = chat.unblock(&address);
        }
        self.as_mut().show_door();
        self.refresh();
    }

    pub fn set_peers_shown(self: Pin<&mut Self>, shown: bool) {
        let (lock, changed) = &*self.peers_shown;
        *lock.lock().unwrap_or_else(|p| p.into_inner()) = shown;
        changed.notify_all();
    }

    /// What TCP says of each connection, asked once a second while the Peers list is
    /// shown: the links are taken on the Qt thread (no system call), the kernel is asked
    /// on this thread, and the words are shown on the Qt thread. Ends with the object.
    fn watch_tcp(self: Pin<&mut Self>) {
        let qt_thread = self.qt_thread();
        let shown = self.peers_shown.clone();
        let watching = std::thread::Builder::new()
            .name("tcp-chat-peers".into())
            .stack_size(256 * 1024)
            .spawn(move || loop {
                {
                    let (lock, changed) = &*shown;
                    let mut on = lock.lock().unwrap_or_else(|p| p.into_inner());
                    while !*on {
                        let waited = changed
                            .wait_timeout(on, std::time::Duration::from_secs(5))
                            .unwrap_or_else(|p| p.into_inner());
                        on = waited.0;
                        if waited.1.timed_out() {
                            break;
                        }
                    }
                    if !*on {
                        // Still hidden: is the window still there?
                        drop(on);
                        if qt_thread.queue(|_| {}).is_err() {
                            return;
                        }
                        continue;
                    }
                }
                let (tx, rx) = std::sync::mpsc::channel();
                let asked = qt_thread.queue(move |mut this| {
                    let links = this.as_mut().chat().map(|c| c.peer_links());
                    let _ = tx.send(links.unwrap_or_default());
                });
                if asked.is_err() {
                    return;
                }
                let Ok(links) = rx.recv_timeout(std::time::Duration::from_secs(5)) else {
                    continue;
                };
                let peers: Vec<crate::engine::chat::Peer> = links
                    .iter()
                    .map(|l| crate::engine::chat::Peer::of(l, true))
                    .collect();
                let shown = qt_thread.queue(move |mut this| {
                    let speech = this.start.speech;
                    if let Some(model) = this.as_mut().rust_mut().get_mut().peers_model.as_mut() {
                        model.show_details(peers, speech);
                    }
                });
                if shown.is_err() {
                    return;
                }
                std::thread::sleep(std::time::Duration::from_secs(1));
            });
        drop(watching); // no thread: the list shows no TCP details
    }

    pub fn set_locked_on(mut self: Pin<&mut Self>, on: bool) {
        if let Some(chat) = self.as_mut().chat() {
            chat.set_locked(on);
        }
        self.as_mut().show_door();
        self.refresh();
    }

    /// Brings the Peers list in line with the engine: made anew only when a peer came or
    /// went, without TCP's details (a system call each: those are asked off this thread).
    fn refresh_peers(mut self: Pin<&mut Self>) {
        let seen = self.peers_seen;
        let Some(chat) = self.as_mut().chat() else {
            return;
        };
        let changes = chat.peer_changes();
        if seen == Some(changes) {
            return;
        }
        let peers: Vec<_> = chat
            .peer_links()
            .iter()
            .map(|l| crate::engine::chat::Peer::of(l, false))
            .collect();
        self.as_mut().rust_mut().get_mut().peers_seen = Some(changes);
        if let Some(model) = self.as_mut().rust_mut().get_mut().peers_model.as_mut() {
            model.replace(peers);
        }
    }

    /// Shows the Lock box and the blocked addresses as the engine has them: after the
    /// window changed them, the only place they change.
    fn show_door(mut self: Pin<&mut Self>) {
        let Some(chat) = self.as_mut().chat() else {
            return;
        };
        let locked = chat.is_locked();
        let mut blocked = cxx_qt_lib::QStringList::default();
        for range in chat.blocked() {
            blocked.append(QString::from(range_text(&range).as_str()));
        }
        self.as_mut().set_locked(locked);
        self.set_blocked(blocked);
    }

    /// Brings the properties in line with the engine.
    fn refresh(mut self: Pin<&mut Self>) {
        let Some(status) = self.as_mut().chat().map(|c| c.status()) else {
            return;
        };
        let state = if status.connected {
            ChatState::Connected
        } else if status.connecting {
            ChatState::Connecting
        } else if status.listening {
            ChatState::Listening
        } else {
            ChatState::Idle
        };
        self.as_mut().set_state(state);
        self.as_mut().set_listening(status.listening);
        self.as_mut().set_listen_port(i32::from(status.port));
        let peers = status.incoming + usize::from(status.connected);
        self.as_mut().set_peer_count(peers as i32);
        self.refresh_peers();
    }

    pub fn data(&self, index: &QModelIndex, role: i32) -> QVariant {
        let Some(row) = usize::try_from(index.row())
            .ok()
            .and_then(|i| self.rows.get(i))
        else {
            return QVariant::default();
        };
        let (kind, text) = self.start.speech.log_line(&row.event);
        match role {
            TEXT_ROLE => QVariant::from(&QString::from(
                clock::shown_line(&text, row.time, *self.times()).as_str(),
            )),
            KIND_ROLE => QVariant::from(&QString::from(kind.to_string().as_str())),
            TIME_ROLE => QVariant::from(&QString::from(clock::log_time(row.time).as_str())),
            _ => QVariant::default(),
        }
    }

    pub fn role_names(&self) -> QHash<QHashPair_i32_QByteArray> {
        let mut roles = QHash::<QHashPair_i32_QByteArray>::default();
        roles.insert(TEXT_ROLE, QByteArray::from("display"));
        roles.insert(KIND_ROLE, QByteArray::from("kind"));
        roles.insert(TIME_ROLE, QByteArray::from("time"));
        roles
    }

    pub fn row_count(&self, _parent: &QModelIndex) -> i32 {
        self.rows.len() as i32
    }
}
