//! The options' values, each checked as it is parsed: a mistake is one sentence from the
//! catalog, which clap prints after the option's name.

use crate::engine::address::{parse_host, parse_host_port, parse_port, AddressError, Host};
use crate::i18n::Speech;
use crate::tr;
use std::net::IpAddr;

pub(super) fn port_arg(text: &str) -> Result<u16, String> {
    parse_port(text, true).map_err(|e| in_words(&e))
}

pub(super) fn bind_arg(text: &str) -> Result<IpAddr, String> {
    match parse_host(text).map_err(|e| in_words(&e))? {
        Host::Ip { ip, .. } => Ok(ip),
        Host::Name(_) => Err(tr!("cli-bind-not-ip", text = text)),
    }
}

/// A size in bytes: `65536`, `500K`, `64M`, `1G` (also `64MiB`, `64MB`: all 1024-based);
/// at least 1 KiB.
pub(super) fn size_arg(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    let digits = trimmed
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(digits);
    let shift = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        _ => return Err(tr!("cli-not-a-size", text = text)),
    };
    let size = number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(1 << shift))
        .ok_or_else(|| tr!("cli-not-a-size", text = text))?;
    if size < 1024 {
        return Err(tr!("cli-size-too-small", text = text));
    }
    Ok(size)
}

/// A count from 1 to `MAX`.
pub(super) fn count_arg<const MAX: usize>(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(n) if (1..=MAX).contains(&n) => Ok(n),
        _ => Err(tr!("cli-not-a-count", text = text, max = MAX.to_string())),
    }
}

pub(super) fn connect_arg(text: &str) -> Result<(Host, Option<u16>), String> {
    parse_host_port(text).map_err(|e| in_words(&e))
}

/// A name to be announced by (`--name`), checked as the window's Name field is.
pub(super) fn name_arg(text: &str) -> Result<String, String> {
    crate::engine::chat::check_name(text).map_err(|e| Speech::window().name_error(&e))
}

/// An address range (`192.168.0.0/24`, `fd00::/64`), or one address (`192.168.0.5`).
pub(super) fn range_arg(text: &str) -> Result<ipnet::IpNet, String> {
    let text = text.trim();
    text.parse::<ipnet::IpNet>()
        .or_else(|_| text.parse::<IpAddr>().map(ipnet::IpNet::from))
        .map(|range| range.trunc())
        .map_err(|_| tr!("cli-not-a-range", text = text))
}

/// An address or port that cannot be used, said as clap prints it: in the run's
/// language, with no control named (the terminal's words have none).
fn in_words(error: &AddressError) -> String {
    Speech::terminal().address_error(error)
}
