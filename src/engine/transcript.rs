//! `--transcript FILE`: every log line, as shown, appended to a file as it happens, by a
//! thread of its own so that no file write happens on the Qt thread.

use super::error::{plain_io, Error};
use super::event::Event;
use super::sink::EventSink;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread;

/// A sink that writes each event's log line to a file, then hands the event on.
pub struct TranscriptSink {
    inner: Arc<dyn EventSink>,
    lines: Mutex<Sender<String>>,
}

impl TranscriptSink {
    /// Opens `path` for appending (creating it) and starts the writer thread.
    pub fn open(path: &Path, inner: Arc<dyn EventSink>) -> Result<Self, Error> {
        let error = |e: std::io::Error| Error::Transcript {
            path: path.display().to_string(),
            detail: plain_io(&e),
        };
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(error)?;
        let (tx, rx) = mpsc::channel();
        let reporter = inner.clone();
        let name = path.display().to_string();
        thread::Builder::new()
            .name("tcp-chat-transcript".into())
            .spawn(move || write_lines(file, rx, reporter, name))
            .map_err(error)?;
        Ok(Self {
            inner,
            lines: Mutex::new(tx),
        })
    }
}

impl EventSink for TranscriptSink {
    fn emit(&self, event: Event) {
        let line = event.log_line().1;
        let _ = self
            .lines
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .send(line);
        self.inner.emit(event);
    }

    fn emit_all(&self, events: &mut Vec<Event>) {
        {
            let lines = self.lines.lock().unwrap_or_else(|p| p.into_inner());
            for event in events.iter() {
                let _ = lines.send(event.log_line().1);
            }
        }
        self.inner.emit_all(events);
    }

    fn wait_for_room(&self) -> bool {
        self.inner.wait_for_room()
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

fn write_lines(file: File, lines: Receiver<String>, reporter: Arc<dyn EventSink>, path: String) {
    let mut out = BufWriter::new(file);
    while let Ok(line) = lines.recv() {
        let mut result = writeln!(out, "{line}");
        // Write what else is waiting, then flush: one flush a burst, none held back.
        while let (Ok(()), Ok(line)) = (&result, lines.try_recv()) {
            result = writeln!(out, "{line}");
        }
        if let Err(e) = result.and_then(|()| out.flush()) {
            reporter.emit(Event::Error(Error::Transcript {
                path,
                detail: plain_io(&e),
            }));
            return;
        }
    }
}
