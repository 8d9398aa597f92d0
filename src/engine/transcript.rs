//! `--transcript FILE`: every log line, as shown, appended to a file as it happens, by a
//! thread of its own so that no file write happens on the Qt thread. The lines come from
//! the event queue, in the order the window gets them; a disk slower than the peers holds
//! them back (see [`EventQueue`]), so every line is kept whole and memory stays bounded.
//! Each line starts with the time it was reported (ISO 8601, milliseconds). A transcript
//! that reaches its size limit is moved to `FILE.1` (replacing an older one) and `FILE`
//! starts again, between two lines: none is lost or split across the two.

use super::error::{Error, IoCause};
use super::event::{Event, LineWords};
use super::sink::{EventQueue, EventSink};
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::Duration;

/// How large a transcript grows before it is moved to `FILE.1` (`--transcript-max`).
pub const DEFAULT_TRANSCRIPT_MAX: u64 = 64 << 20;

/// The transcript's writer thread, which ends once the queue is closed and every line is
/// written.
#[derive(Clone)]
pub struct Transcript {
    done: Arc<(Mutex<bool>, Condvar)>,
}

impl Transcript {
    /// Opens `path` for appending (creating it), and has every event queued in `queue`
    /// from now on written to it, moving it to `path.1` whenever it would grow past
    /// `limit` bytes. A write that fails (a full disk) is reported once, and the chat
    /// goes on without the transcript.
    pub fn start(
        path: &Path,
        limit: u64,
        queue: Arc<EventQueue>,
        words: LineWords,
    ) -> Result<Self, Error> {
        let error = |e: std::io::Error| Error::Transcript {
            path: path.display().to_string(),
            detail: IoCause::of(&e),
        };
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(error)?;
        let done = Arc::new((Mutex::new(false), Condvar::new()));
        let path = path.to_path_buf();
        queue.start_transcript();
        let (q, d) = (queue.clone(), done.clone());
        let spawned = thread::Builder::new()
            .name("tcp-chat-transcript".into())
            .stack_size(256 * 1024)
            .spawn(move || {
                write_lines(file, &q, &path, limit, &words);
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
    pub fn start_or_report(
        path: Option<&Path>,
        limit: u64,
        queue: &Arc<EventQueue>,
        words: LineWords,
    ) -> Option<Self> {
        match Self::start(path?, limit, queue.clone(), words) {
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
    // Kept here too: a job that cannot start is reported from here.
    let (report, report_name) = (sink.clone(), name.clone());
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
                detail: IoCause::of(&e),
            }),
        });
    };
    if let Err(e) = thread::Builder::new()
        .name("tcp-chat-save".into())
        .spawn(job)
    {
        report.emit(Event::Error(Error::SaveLog {
            path: report_name,
            detail: IoCause::of(&e),
        }));
    }
}

fn write_lines(file: File, queue: &EventQueue, path: &Path, limit: u64, words: &LineWords) {
    let mut size = file.metadata().map_or(0, |m| m.len());
    let mut out = BufWriter::with_capacity(64 * 1024, file);
    let fail = |e: std::io::Error| {
        queue.stop_transcript();
        queue.emit(Event::Error(Error::TranscriptFailed {
            path: path.display().to_string(),
            detail: IoCause::of(&e),
        }));
    };
    // The time in front of each line, made once a millisecond: the lines of one read share
    // one reading of the clock, so most lines only compare it with the last one's.
    let mut stamp = Stamp::default();
    // Each line is made in this one buffer, time, words and newline, then written whole:
    // no allocation a line.
    let mut line = String::with_capacity(256);
    while let Some(lines) = queue.transcript_lines() {
        // Everything waiting, then one flush: one flush a burst, none held back.
        for each in &lines {
            let at = stamp.of(each.at);
            line.clear();
            make_line(&mut line, at, &each.event, words);
            let len = line.len() as u64;
            if size > 0 && size + len > limit {
                let moved_to = match rotate(&mut out, path) {
                    Ok(moved_to) => moved_to,
                    Err(e) => return fail(e),
                };
                // Said in the log, and as the new file's first line.
                let said = Event::TranscriptRotated {
                    path: path.display().to_string(),
                    moved_to: moved_to.display().to_string(),
                    limit,
                };
                // With the time of the line that did not fit, which follows it.
                let mut first = String::new();
                make_line(&mut first, at, &said, words);
                if let Err(e) = out.write_all(first.as_bytes()) {
                    return fail(e);
                }
                size = first.len() as u64;
                queue.emit_untranscribed(said);
            }
            if let Err(e) = out.write_all(line.as_bytes()) {
                return fail(e);
            }
            size += len;
        }
        if let Err(e) = out.flush() {
            return fail(e);
        }
    }
}

/// Appends `event`'s line to `line`: `at`, a space, its words and a newline.
fn make_line(line: &mut String, at: &str, event: &Event, words: &LineWords) {
    line.push_str(at);
    line.push(' ');
    words(event, line);
    line.push('\n');
}

/// The transcript's time for the last clock reading seen, made again only when the
/// millisecond changes.
#[derive(Default)]
struct Stamp {
    /// The last reading, and its millisecond since 1970.
    last: Option<(std::time::SystemTime, u128)>,
    text: String,
}

impl Stamp {
    fn of(&mut self, at: std::time::SystemTime) -> &str {
        if self.last.is_some_and(|(seen, _)| seen == at) {
            return &self.text;
        }
        let ms = at
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        if self.last.is_none_or(|(_, last_ms)| last_ms != ms) {
            let local = chrono::DateTime::<chrono::Local>::from(at);
            self.text = super::clock::transcript_time(&local);
        }
        self.last = Some((at, ms));
        &self.text
    }
}

/// Moves the full transcript to `path.1` (replacing an older one) and starts `path`
/// again; returns where the full one went.
fn rotate(out: &mut BufWriter<File>, path: &Path) -> std::io::Result<PathBuf> {
    out.flush()?;
    let mut moved_to = path.as_os_str().to_owned();
    moved_to.push(".1");
    let moved_to = PathBuf::from(moved_to);
    std::fs::rename(path, &moved_to)?;
    let file = OpenOptions::new().create(true).append(true).open(path)?;
    *out = BufWriter::with_capacity(64 * 1024, file);
    Ok(moved_to)
}

#[cfg(test)]
mod tests {
    use super::Stamp;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn a_lines_time_is_made_again_when_its_millisecond_changes() {
        let mut stamp = Stamp::default();
        let at = UNIX_EPOCH + Duration::from_millis(1_780_000_000_123);
        let first = stamp.of(at).to_string();
        assert!(first.contains(".123"), "{first}");
        // Another reading in the same millisecond: the same time.
        assert_eq!(stamp.of(at + Duration::from_micros(500)), first);
        let next = stamp.of(at + Duration::from_millis(1)).to_string();
        assert!(next.contains(".124"), "{next}");
        assert_eq!(stamp.of(at), first);
    }
}
