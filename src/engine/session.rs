//! One chat session, as both front ends own it: the event queue, the transcript, the
//! chat and its discovery, made from one [`Config`] and ended in one place, in one
//! order, with one bounded wait. A [`Stop`] request (SIGTERM) withdraws the LAN
//! announcement at once and ends the queue and the transcript even while the front end
//! cannot get to dropping the session (a terminal blocked in a read).

use super::event::LineWords;
use super::sink::{EventQueue, DEFAULT_QUEUE_CAPACITY};
use super::stop::{Stop, Working};
use super::transcript::Transcript;
use super::{Chat, Event, Settings};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The longest the end of a session waits for the transcript to write its last lines
/// (a disk that hangs does not hold the end longer).
pub const TRANSCRIPT_WAIT: Duration = Duration::from_secs(1);

/// What a session is made from.
#[derive(Clone)]
pub struct Config {
    pub settings: Settings,
    /// Where every log line is appended (`--transcript`), and its size before it moves.
    pub transcript: Option<PathBuf>,
    pub transcript_max: u64,
    /// The front end's words for the transcript's lines.
    pub words: LineWords,
    /// Announce the listener and find others on the LAN (not with `--no-discovery`).
    pub discovery: bool,
}

impl Config {
    /// The engine's defaults, with the front end's words: no transcript, no discovery.
    pub fn new(settings: Settings, words: LineWords) -> Self {
        Self {
            settings,
            transcript: None,
            transcript_max: super::transcript::DEFAULT_TRANSCRIPT_MAX,
            words,
            discovery: false,
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("settings", &self.settings)
            .field("transcript", &self.transcript)
            .field("transcript_max", &self.transcript_max)
            .field("discovery", &self.discovery)
            .finish_non_exhaustive()
    }
}

/// How the front end hears that events wait in the queue.
pub enum Wake {
    /// It waits on the queue itself ([`EventQueue::wait_drain`]).
    Never,
    /// `wake` is called at most once per `interval`: by a reader itself when the last
    /// call is an interval old (and it has not stepped down to the lowest priority), else
    /// from a pacing thread (from the engine's threads directly if that thread cannot be
    /// made).
    Paced {
        interval: Duration,
        wake: Box<dyn Fn() + Send + Sync>,
    },
}

/// The queue and the transcript, ended once: by the session's end or by a stop request,
/// whichever comes first.
struct Ending {
    queue: Arc<EventQueue>,
    transcript: Option<Transcript>,
    working: Mutex<Option<Working>>,
    /// Set by the first end: the second (a stop, then the drop) waits for nothing.
    ended: std::sync::atomic::AtomicBool,
}

impl Ending {
    /// Lets readers waiting for room go and no event in; waits for the transcript's last
    /// lines; then the session's part of the stop is done.
    fn end(&self) {
        if self.ended.swap(true, std::sync::atomic::Ordering::SeqCst) {
            return;
        }
        self.queue.close();
        if let Some(transcript) = &self.transcript {
            transcript.finish(TRANSCRIPT_WAIT);
        }
        self.working
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
    }
}

/// A running chat with its queue and transcript. Dropping it ends them: the queue
/// closes, every connection and the listener close, the transcript writes what it has.
pub struct Session {
    chat: Option<Chat>,
    ending: Arc<Ending>,
}

impl Session {
    /// Opens the queue, starts the transcript (a failure is reported in the log),
    /// makes the chat with `config.settings`, and starts discovery if asked, with
    /// `on_nearby` called (on the mDNS thread) when the LAN's listeners may have changed.
    /// Nothing listens or connects yet. `stop` is the run's: its request ends this session's
    /// outputs.
    pub fn open(
        config: &Config,
        wake: Wake,
        on_nearby: impl Fn() + Send + 'static,
        stop: &Stop,
    ) -> Self {
        let queue = match wake {
            Wake::Never => Arc::new(EventQueue::new(DEFAULT_QUEUE_CAPACITY, || {})),
            Wake::Paced { interval, wake } => {
                let wake: Arc<dyn Fn() + Send + Sync> = Arc::from(wake);
                let paced = wake.clone();
                EventQueue::paced(DEFAULT_QUEUE_CAPACITY, interval, move || paced()).unwrap_or_else(
                    |_| Arc::new(EventQueue::new(DEFAULT_QUEUE_CAPACITY, move || wake())),
                )
            }
        };
        let transcript = Transcript::start_or_report(
            config.transcript.as_deref(),
            config.transcript_max,
            &queue,
            config.words.clone(),
        );
        // An address's fast comings and goings reach the log summarised.
        let sink = super::coalesce::Coalesce::new(queue.clone());
        let mut chat = Chat::new(config.settings.clone(), sink);
        if config.discovery {
            chat.start_discovery(on_nearby);
        }
        let ending = Arc::new(Ending {
            queue,
            transcript,
            working: Mutex::new(Some(stop.working())),
            ended: false.into(),
        });
        let discovery = chat.discovery().map(Arc::downgrade);
        let on_stop = Arc::downgrade(&ending);
        stop.on_request(move |_| {
            // The announcement first, at once, whatever happens next.
            if let Some(discovery) = discovery.and_then(|d| d.upgrade()) {
                discovery.shut_down();
            }
            if let Some(ending) = on_stop.upgrade() {
                ending.end();
            }
        });
        Self {
            chat: Some(chat),
            ending,
        }
    }

    /// The chat: listen, connect, send.
    pub fn chat(&mut self) -> &mut Chat {
        self.chat
            .as_mut()
            .expect("the chat lives as long as the session")
    }

    /// The chat, to read its state.
    pub fn chat_ref(&self) -> &Chat {
        self.chat
            .as_ref()
            .expect("the chat lives as long as the session")
    }

    /// Where the engine's events wait for the front end.
    pub fn queue(&self) -> &Arc<EventQueue> {
        &self.ending.queue
    }

    /// Reports `event` in the log (and the transcript), as the engine's own.
    pub fn report(&self, event: Event) {
        use super::EventSink;
        self.ending.queue.emit(event);
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // In this order: readers waiting for room go, every connection and the listener
        // close, and the transcript writes what it has (unless the disk hangs).
        self.ending.queue.close();
        self.chat.take();
        self.ending.end();
    }
}
