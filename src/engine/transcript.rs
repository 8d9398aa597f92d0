//! `--transcript FILE`: every log line, as shown, appended to a file as it happens, by a
//! thread of its own so that no file write happens on the Qt thread. The lines come from
//! the event queue, in the order the window gets them; a disk slower than the peers holds
//! them back (see [`EventQueue`]), so every line is kept whole and memory stays bounded.

use super::error::{plain_io, Error};
use super::event::Event;
use super::sink::{EventQueue, EventSink};
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::Duration;

/// The transcript's writer thread, which ends once the queue is closed and every line is
/// written.
pub struct Transcript {
    done: Arc<(Mutex<bool>, Condvar)>,
}

impl Transcript {
    /// Opens `path` for appending (creating it), and has every event queued in `queue`
    /// from now on written to it. A write that fails (a full disk) is reported once, and
    /// the chat goes on without the transcript.
    pub fn start(path: &Path, queue: Arc<EventQueue>) -> Result<Self, Error> {
        let error = |e: std::io::Error| Error::Transcript {
            path: path.display().to_string(),
            detail: plain_io(&e),
        };
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(error)?;
        let done = Arc::new((Mutex::new(false), Condvar::new()));
        let name = path.display().to_string();
        queue.start_transcript();
        let (q, d) = (queue.clone(), done.clone());
        let spawned = thread::Builder::new()
            .name("tcp-chat-transcript".into())
            .stack_size(256 * 1024)
            .spawn(move || {
                write_lines(file, &q, name);
                *d.0.lock().unwrap_or_else(|p| p.into_inner()) = true;
                d.1.notify_all();
            });
        if let Err(e) = spawned {
            queue.stop_transcript();
            return Err(error(e));
        }
        Ok(Self { done })
    }

    /// [`Transcript::start`], with its error reported in the log instead of returned:
    /// the chat goes on without a transcript.
    pub fn start_or_report(path: Option<&Path>, queue: &Arc<EventQueue>) -> Option<Self> {
        match Self::start(path?, queue.clone()) {
            Ok(transcript) => Some(transcript),
            Err(e) => {
                queue.emit(Event::Error(e));
                None
            }
        }
    }

    /// After the queue was closed: waits up to `limit` for the last lines to be written.
    pub fn finish(&self, limit: Duration) -> bool {
        let (done, cond) = &*self.done;
        let guard = done.lock().unwrap_or_else(|p| p.into_inner());
        let (guard, _) = cond
            .wait_timeout_while(guard, limit, |done| !*done)
            .unwrap_or_else(|p| p.into_inner());
        *guard
    }
}

/// Writes `lines` to `path` (replacing it) on a thread of its own, then reports how it
/// went to `sink`: for "Save log" in the window.
pub fn save_log(path: std::path::PathBuf, lines: Vec<String>, sink: Arc<dyn EventSink>) {
    let name = path.display().to_string();
    let job = move || {
        let write = || -> std::io::Result<()> {
            let mut out = BufWriter::new(File::create(&path)?);
            for line in &lines {
                writeln!(out, "{line}")?;
            }
            out.flush()
        };
        sink.emit(match write() {
            Ok(()) => Event::LogSaved {
                path: name,
                lines: lines.len(),
            },
            Err(e) => Event::Error(Error::SaveLog {
                path: name,
                detail: plain_io(&e),
            }),
        });
    };
    if let Err(e) = thread::Builder::new()
        .name("tcp-chat-save".into())
        .spawn(job)
    {
        // The job (and its sink) went with the failed spawn: nothing left to report to.
        eprintln!("tcp-chat: cannot save the log: {e}");
    }
}

fn write_lines(file: File, queue: &EventQueue, path: String) {
    let mut out = BufWriter::with_capacity(64 * 1024, file);
    while let Some(lines) = queue.transcript_lines() {
        // Everything waiting, then one flush: one flush a burst, none held back.
        let written = lines
            .iter()
            .try_for_each(|line| writeln!(out, "{line}"))
            .and_then(|()| out.flush());
        if let Err(e) = written {
            queue.stop_transcript();
            queue.emit(Event::Error(Error::TranscriptFailed {
                path,
                detail: plain_io(&e),
            }));
            return;
        }
    }
}
