//! Bytes typed as hex pairs (`/hex`, the window's Hex box): devices speak binary
//! protocols too.

/// `text` as the bytes its hex pairs spell: `48 65 6c`, `48656c` or a mix; each part
/// between spaces is an even number of hex digits. `Err` names the first part that is
/// not.
pub fn parse(text: &str) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    for part in text.split_whitespace() {
        let digits = part.as_bytes();
        if digits.len() % 2 != 0 || !digits.iter().all(u8::is_ascii_hexdigit) {
            return Err(part.to_string());
        }
        for pair in digits.chunks(2) {
            let pair = std::str::from_utf8(pair).map_err(|_| part.to_string())?;
            bytes.push(u8::from_str_radix(pair, 16).map_err(|_| part.to_string())?);
        }
    }
    Ok(bytes)
}

/// `bytes` as the log shows what was sent: text where they are UTF-8, `\xNN` where not
/// (control characters are escaped when the line is shown, as for text received).
pub fn shown(bytes: &[u8]) -> String {
    let mut text = String::new();
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        for byte in chunk.invalid() {
            text.push_str(&format!("\\x{byte:02X}"));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_pairs_with_or_without_spaces_are_bytes_and_a_stray_part_is_named() {
        assert_eq!(parse("48 65 6c 6c 6f 0a"), Ok(b"Hello\n".to_vec()));
        assert_eq!(parse("48656c 6C6f0A"), Ok(b"Hello\n".to_vec()));
        assert_eq!(parse("48 zz 0a"), Err("zz".to_string()));
        assert_eq!(parse("48 6 0a"), Err("6".to_string()));
        assert_eq!(parse("  "), Ok(Vec::new()));
        assert_eq!(parse("4865 가"), Err("가".to_string()));
        assert_eq!(shown(b"Hi\n"), "Hi\n");
        assert_eq!(shown(&[0x48, 0xff, 0xea, 0xb0, 0x80]), "H\\xFF가");
    }
}
