//! Bytes in, lines out: the receive side of the wire format, with no sockets in it.
//!
//! A peer's bytes are split into lines at `\n` (a trailing `\r` is dropped). Bytes that
//! never get a newline are handed out whole by [`LineDecoder::flush_partial`] once the peer
//! has been quiet (the caller decides when), because the course's scripts and many devices
//! send messages without one. A multi-byte UTF-8 character split across reads is joined,
//! invalid UTF-8 becomes U+FFFD, and no line grows past [`MAX_LINE`]: a longer one is
//! handed out in pieces, so the memory one peer can hold is bounded whatever it sends.

use super::event::Text;
use std::sync::Arc;

/// The longest piece of text one line can be; longer lines come out in pieces of this size.
pub const MAX_LINE: usize = 64 * 1024;

/// Splits a byte stream into text lines.
#[derive(Debug, Default)]
pub struct LineDecoder {
    /// Bytes of the line under way: never a complete line, never more than `MAX_LINE`.
    pending: Vec<u8>,
}

impl LineDecoder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether bytes of an unfinished line are waiting for their newline.
    pub fn has_partial(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Feeds `bytes` and calls `line` once for each line they complete, in order.
    pub fn push(&mut self, mut bytes: &[u8], mut line: impl FnMut(Text)) {
        // The shared block is tried once a push: bytes it cannot take (invalid UTF-8)
        // would otherwise be checked again for each line the slow way hands out.
        let mut tried = false;
        while !bytes.is_empty() {
            if self.pending.is_empty() && !tried {
                tried = true;
                let whole = whole_lines(bytes, &mut line);
                bytes = &bytes[whole..];
                if bytes.is_empty() {
                    break;
                }
            }
            match memchr::memchr(b'\n', bytes) {
                Some(end) if self.pending.len() + end <= MAX_LINE => {
                    let (head, rest) = (&bytes[..end], &bytes[end + 1..]);
                    if self.pending.is_empty() {
                        line(decode_line(head));
                    } else {
                        self.pending.extend_from_slice(head);
                        line(decode_line(&self.pending));
                        self.pending.clear();
                    }
                    bytes = rest;
                }
                _ => {
                    // No newline within reach of the cap: keep what fits, cut a piece if full.
                    let room = MAX_LINE - self.pending.len();
                    let take = room.min(bytes.len());
                    self.pending.extend_from_slice(&bytes[..take]);
                    bytes = &bytes[take..];
                    if self.pending.len() == MAX_LINE {
                        self.cut_piece(&mut line);
                    }
                }
            }
        }
    }

    /// Hands out the unfinished line, if any, as a message of its own: the peer has gone
    /// quiet. An incomplete UTF-8 character at its end is kept back for the next read.
    pub fn flush_partial(&mut self, line: impl FnOnce(Text)) {
        let keep = incomplete_utf8_tail(&self.pending);
        if self.pending.len() > keep {
            let cut = self.pending.len() - keep;
            let text = decode_line(&self.pending[..cut]);
            self.pending.drain(..cut);
            line(text);
        }
    }

    /// Hands out everything left, incomplete characters included: the peer has gone.
    pub fn finish(&mut self, line: impl FnOnce(Text)) {
        if !self.pending.is_empty() {
            let text = decode_line(&self.pending);
            self.pending.clear();
            line(text);
        }
    }

    /// Hands out a full `MAX_LINE` buffer as a piece, cut at a character boundary.
    fn cut_piece(&mut self, line: &mut impl FnMut(Text)) {
        let keep = incomplete_utf8_tail(&self.pending);
        let cut = self.pending.len() - keep;
        line(text_of(&self.pending[..cut]));
        self.pending.drain(..cut);
    }
}

/// Hands out the whole lines at the start of `bytes` (up to its last newline) as pieces of
/// one block of text, when they are valid UTF-8 and none can be longer than `MAX_LINE`;
/// returns how many bytes they took (0: none, or the slow way is needed).
fn whole_lines(bytes: &[u8], line: &mut impl FnMut(Text)) -> usize {
    let Some(last) = memchr::memrchr(b'\n', bytes) else {
        return 0;
    };
    if last > MAX_LINE {
        return 0;
    }
    let Ok(text) = std::str::from_utf8(&bytes[..last]) else {
        return 0;
    };
    let block: Arc<str> = Arc::from(text);
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', block.as_bytes()).chain([block.len()]) {
        let shown = if block.as_bytes()[start..end].ends_with(b"\r") {
            end - 1
        } else {
            end
        };
        line(Text::piece(&block, start, shown));
        start = end + 1;
    }
    last + 1
}

/// Decodes one line: drops a trailing `\r`, replaces invalid UTF-8 with U+FFFD.
fn decode_line(bytes: &[u8]) -> Text {
    let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    text_of(bytes)
}

/// `bytes` as text, invalid UTF-8 as U+FFFD. Valid text is checked first, much faster
/// than the lossy decoder's walk (a fifth of a flood's reader time in a profile).
fn text_of(bytes: &[u8]) -> Text {
    match std::str::from_utf8(bytes) {
        Ok(text) => Text::from(text),
        Err(_) => Text::from(String::from_utf8_lossy(bytes).into_owned()),
    }
}

/// How many bytes at the end of `bytes` are the start of a UTF-8 character that is not
/// complete yet (0 to 3): those wait for the rest of the character.
fn incomplete_utf8_tail(bytes: &[u8]) -> usize {
    for back in 1..=3.min(bytes.len()) {
        let b = bytes[bytes.len() - back];
        if b & 0b1100_0000 == 0b1000_0000 {
            continue; // a continuation byte: look further back for the lead byte
        }
        let width = match b {
            0xC2..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF4 => 4,
            _ => return 0,
        };
        return if width > back { back } else { 0 };
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn lines_of(decoder: &mut LineDecoder, bytes: &[u8]) -> Vec<String> {
        let mut out = Vec::new();
        decoder.push(bytes, |l| out.push(l.to_string()));
        out
    }

    #[test]
    fn splits_at_newline_and_drops_carriage_return() {
        let mut d = LineDecoder::new();
        assert_eq!(lines_of(&mut d, b"one\r\ntwo\nthree"), ["one", "two"]);
        assert!(d.has_partial());
        assert_eq!(lines_of(&mut d, b"\n"), ["three"]);
        assert!(!d.has_partial());
    }

    #[test]
    fn the_lines_of_one_read_share_one_block_and_a_finished_line_has_its_own() {
        let mut d = LineDecoder::new();
        let mut lines = Vec::new();
        d.push(b"a\r\nbb\nccc\ndd", |l| lines.push(l));
        assert_eq!(lines, ["a", "bb", "ccc"]);
        // One block for the three: "a\r\nbb\nccc", up to the last newline.
        assert!(lines.iter().all(|l| l.block_len() == 9), "{lines:?}");
        lines.clear();
        d.push(b"d\n", |l| lines.push(l));
        assert_eq!(lines, ["ddd"]);
        assert_eq!(
            lines[0].block_len(),
            3,
            "the finished line is not a piece of a read"
        );
        // Invalid UTF-8 is decoded line by line, each line its own.
        lines.clear();
        d.push(b"\xff\nok\n", |l| lines.push(l));
        assert_eq!(lines, ["\u{FFFD}", "ok"]);
        assert_eq!(lines[1].block_len(), 2);
    }

    #[test]
    fn empty_lines_are_kept() {
        let mut d = LineDecoder::new();
        assert_eq!(lines_of(&mut d, b"\n\r\na\n"), ["", "", "a"]);
    }

    #[test]
    fn split_utf8_char_is_joined() {
        let text = "안녕하세요\n".as_bytes();
        for cut in 1..text.len() {
            let mut d = LineDecoder::new();
            let mut out = lines_of(&mut d, &text[..cut]);
            out.extend(lines_of(&mut d, &text[cut..]));
            assert_eq!(out, ["안녕하세요"], "cut at {cut}");
        }
    }

    #[test]
    fn quiet_flush_keeps_a_half_character_for_the_next_read() {
        let text = "가나".as_bytes(); // 6 bytes
        let mut d = LineDecoder::new();
        lines_of(&mut d, &text[..4]);
        let mut flushed = Vec::new();
        d.flush_partial(|l| flushed.push(l.to_string()));
        assert_eq!(flushed, ["가"]);
        assert_eq!(lines_of(&mut d, &text[4..]), Vec::<String>::new());
        d.flush_partial(|l| flushed.push(l.to_string()));
        assert_eq!(flushed, ["가", "나"]);
    }

    #[test]
    fn invalid_utf8_becomes_replacement_character() {
        let mut d = LineDecoder::new();
        assert_eq!(lines_of(&mut d, b"a\xff\xfeb\n"), ["a\u{FFFD}\u{FFFD}b"]);
    }

    #[test]
    fn finish_hands_out_a_truncated_character_as_replacement() {
        let mut d = LineDecoder::new();
        lines_of(&mut d, &"한".as_bytes()[..2]);
        let mut out = Vec::new();
        d.finish(|l| out.push(l.to_string()));
        assert_eq!(out, ["\u{FFFD}"]);
    }

    #[test]
    fn long_line_comes_out_in_64k_pieces_and_memory_stays_bounded() {
        let mut d = LineDecoder::new();
        let mut pieces = Vec::new();
        let chunk = vec![b'x'; 10_000];
        for _ in 0..100 {
            d.push(&chunk, |l| pieces.push(l.len()));
            assert!(d.pending.capacity() <= 2 * MAX_LINE);
        }
        d.push(b"\n", |l| pieces.push(l.len()));
        assert_eq!(pieces.iter().sum::<usize>(), 1_000_000);
        assert!(pieces.iter().all(|&n| n <= MAX_LINE));
        assert_eq!(pieces[0], MAX_LINE);
    }

    #[test]
    fn long_line_pieces_never_break_a_character() {
        let mut d = LineDecoder::new();
        let text = "가".repeat(50_000); // 150,000 bytes, pieces must not split a char
        let mut pieces = Vec::new();
        d.push(text.as_bytes(), |l| pieces.push(l.to_string()));
        d.finish(|l| pieces.push(l.to_string()));
        assert!(pieces.iter().all(|p| !p.contains('\u{FFFD}')));
        assert_eq!(pieces.concat(), text);
    }

    proptest! {
        #[test]
        fn any_chunking_gives_the_lines_of_the_whole(
            lines in proptest::collection::vec("[a-z가-힣\r]{0,20}", 0..20),
            cuts in proptest::collection::vec(0usize..400, 0..10),
        ) {
            let whole: String = lines.iter().map(|l| format!("{l}\n")).collect();
            let bytes = whole.as_bytes();
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(bytes.len())).collect();
            cuts.sort_unstable();
            let mut d = LineDecoder::new();
            let mut out = Vec::new();
            let mut start = 0;
            for cut in cuts.into_iter().chain([bytes.len()]) {
                d.push(&bytes[start..cut], |l| out.push(l.to_string()));
                prop_assert!(d.pending.len() <= MAX_LINE);
                start = cut;
            }
            let expected: Vec<String> =
                lines.iter().map(|l| l.strip_suffix('\r').unwrap_or(l).to_string()).collect();
            prop_assert_eq!(out, expected);
            prop_assert!(!d.has_partial());
        }

        #[test]
        fn arbitrary_bytes_never_panic_and_stay_bounded(
            chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..3000), 0..40),
        ) {
            let mut d = LineDecoder::new();
            let mut total_in = 0usize;
            let mut total_out = 0usize;
            for c in &chunks {
                total_in += c.len();
                d.push(c, |l| total_out += l.len());
                prop_assert!(d.pending.len() <= MAX_LINE);
                d.flush_partial(|l| total_out += l.len());
            }
            d.finish(|l| total_out += l.len());
            // Replacement characters may widen invalid bytes, newlines and \r vanish:
            // every input byte accounts for at most 3 output bytes.
            prop_assert!(total_out <= 3 * total_in);
        }
    }

    proptest! {
        // Inputs of up to two 64 KiB pieces, cut anywhere: few cases, each large.
        #![proptest_config(ProptestConfig::with_cases(32))]

        #[test]
        fn any_bytes_in_any_chunks_give_the_lines_of_the_whole(
            bytes in proptest::collection::vec(any::<u8>(), 0..140_000),
            step in 1usize..70_000,
        ) {
            let mut whole = Vec::new();
            let mut d = LineDecoder::new();
            d.push(&bytes, |l| whole.push(l.to_string()));
            d.finish(|l| whole.push(l.to_string()));
            let mut chunked = Vec::new();
            let mut d = LineDecoder::new();
            for chunk in bytes.chunks(step) {
                d.push(chunk, |l| chunked.push(l.to_string()));
                prop_assert!(d.pending.len() <= MAX_LINE);
            }
            d.finish(|l| chunked.push(l.to_string()));
            prop_assert_eq!(whole, chunked);
        }

    }
}
