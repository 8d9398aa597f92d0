//! Fuzzes the line framing: any bytes, cut into any chunks, give the same lines as the
//! same bytes in one piece; no line is longer than the cap; nothing panics.
#![no_main]

#[path = "../../src/engine/framing.rs"]
#[allow(dead_code)]
mod framing;

use framing::{LineDecoder, MAX_LINE};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first bytes choose the chunk sizes; the rest is what the peer sends.
    let (sizes, stream) = data.split_at(data.len().min(8));
    let mut whole = Vec::new();
    let mut d = LineDecoder::new();
    d.push(stream, |l| whole.push(l));
    d.finish(|l| whole.push(l));

    let mut chunked = Vec::new();
    let mut d = LineDecoder::new();
    let mut rest = stream;
    let mut i = 0;
    while !rest.is_empty() {
        let size = 1 + usize::from(sizes.get(i % sizes.len().max(1)).copied().unwrap_or(255)) * 37;
        let (chunk, tail) = rest.split_at(size.min(rest.len()));
        d.push(chunk, |l| chunked.push(l));
        rest = tail;
        i += 1;
    }
    d.finish(|l| chunked.push(l));

    assert_eq!(whole, chunked);
    assert!(whole.iter().all(|l| l.len() <= 3 * MAX_LINE));
});
