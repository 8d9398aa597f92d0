//! Whether the window has a display to go to, checked before Qt starts. Without one
//! (started over SSH, say), Qt's platform plugin aborts the process with a core dump and
//! a page about reinstalling the application; this says what to do in one sentence.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

/// The address of an X display as `DISPLAY` gives it: `:0`, `:10.0`, `host:10`.
#[derive(Debug, PartialEq, Eq)]
enum XDisplay {
    /// The local server's socket (`/tmp/.X11-unix/X<n>`).
    Local(u16),
    /// A server over TCP, port 6000 + n (as an SSH-forwarded `localhost:10`).
    Tcp(String, u16),
}

fn parse_display(display: &str) -> Option<XDisplay> {
    let (host, rest) = display.rsplit_once(':')?;
    let number: u16 = rest.split('.').next()?.parse().ok()?;
    let host = host.strip_prefix("unix/").unwrap_or(host);
    if host.is_empty() || host == "unix" {
        Some(XDisplay::Local(number))
    } else {
        Some(XDisplay::Tcp(host.to_string(), number))
    }
}

/// Whether something answers at `display`'s address (the X handshake is left to Qt).
fn reachable(display: &XDisplay) -> bool {
    match display {
        XDisplay::Local(n) => {
            let path = PathBuf::from(format!("/tmp/.X11-unix/X{n}"));
            if std::os::unix::net::UnixStream::connect(&path).is_ok() {
                return true;
            }
            // Xvfb and Xorg also listen on the abstract socket of the same name.
            abstract_socket_answers(&format!("/tmp/.X11-unix/X{n}"))
        }
        XDisplay::Tcp(host, n) => {
            use std::net::ToSocketAddrs;
            let port = 6000u16.saturating_add(*n);
            (host.as_str(), port)
                .to_socket_addrs()
                .map(|mut addrs| {
                    addrs.any(|a| {
                        std::net::TcpStream::connect_timeout(&a, Duration::from_secs(1)).is_ok()
                    })
                })
                .unwrap_or(false)
        }
    }
}

fn abstract_socket_answers(name: &str) -> bool {
    use std::os::linux::net::SocketAddrExt;
    std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes())
        .and_then(|addr| std::os::unix::net::UnixStream::connect_addr(&addr))
        .is_ok()
}

/// `None` when the window can be shown, or the sentence to print (and exit with 2).
/// `args` are the command line's, for Qt's own `-platform NAME`.
pub fn missing_display(args: &[OsString]) -> Option<String> {
    let platform_given = args.iter().any(|a| a == "-platform" || a == "--platform")
        || std::env::var_os("QT_QPA_PLATFORM").is_some_and(|v| !v.is_empty());
    if platform_given {
        return None; // the person chose (offscreen, wayland, ...): Qt says the rest
    }
    let set = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if set("WAYLAND_DISPLAY").is_some() {
        return None;
    }
    let Some(display) = set("DISPLAY") else {
        return Some(crate::tr!("display-none"));
    };
    let display = display.to_string_lossy().into_owned();
    match parse_display(&display) {
        Some(address) if reachable(&address) => None,
        Some(_) => Some(crate::tr!("display-no-answer", display = display)),
        None => None, // a form this does not know: Qt may
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_are_read_as_x_does() {
        assert_eq!(parse_display(":0"), Some(XDisplay::Local(0)));
        assert_eq!(parse_display(":10.0"), Some(XDisplay::Local(10)));
        assert_eq!(parse_display("unix:3"), Some(XDisplay::Local(3)));
        assert_eq!(
            parse_display("localhost:10.0"),
            Some(XDisplay::Tcp("localhost".into(), 10))
        );
        assert_eq!(parse_display("nonsense"), None);
    }

    #[test]
    fn a_local_display_with_no_server_does_not_answer() {
        // Display numbers this high are never in use here.
        assert!(!reachable(&XDisplay::Local(65000)));
    }
}
