//! What a line typed in `--terminal` means: a message to send, or a command. Commands
//! start with `/`; `//text` sends `/text`.

use crate::tr;

/// A typed line, understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command<'a> {
    /// Nothing typed: nothing to do.
    Nothing,
    /// A message, sent where Send sends.
    Send(&'a str),
    /// `/listen [PORT]`
    Listen { port: Option<&'a str> },
    /// `/connect HOST [PORT]` (or `HOST:PORT`)
    Connect {
        host: &'a str,
        port: Option<&'a str>,
    },
    /// `/close`: the outgoing connection, or the attempt.
    Close,
    /// `/close listen`
    CloseListen,
    /// `/peers`
    Peers,
    /// `/nearby`
    Nearby,
    /// `/kick N`: disconnect peer N of `/peers`.
    Kick(u64),
    /// `/reset [N]`: end the connection we made, or peer N, with RST.
    Reset(Option<u64>),
    /// `/block ADDRESS`
    Block(&'a str),
    /// `/unblock ADDRESS`
    Unblock(&'a str),
    /// `/lock on|off`
    Lock(bool),
    /// `/auto-reply on|off|TEXT`
    AutoReply(AutoReply<'a>),
    /// `/times on|off`
    Times(bool),
    /// `/relay on|off`
    Relay(bool),
    /// `/wire on|off`
    Wire(bool),
    /// `/hex 48 65 ...`: send exactly these bytes.
    Hex(&'a str),
    /// `/help`
    Help,
    /// `/quit`
    Quit,
}

/// What `/auto-reply` was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AutoReply<'a> {
    On,
    Off,
    Text(&'a str),
}

/// The list `/help` prints, in the language of the run.
pub fn help() -> String {
    let commands = [
        ("/listen [PORT]", tr!("command-help-listen")),
        ("/connect HOST [PORT]", tr!("command-help-connect")),
        ("/close", tr!("command-help-close")),
        ("/close listen", tr!("command-help-close-listen")),
        ("/peers", tr!("command-help-peers")),
        ("/nearby", tr!("command-help-nearby")),
        ("/kick N", tr!("command-help-kick")),
        ("/reset [N]", tr!("command-help-reset")),
        ("/block ADDRESS", tr!("command-help-block")),
        ("/unblock ADDRESS", tr!("command-help-unblock")),
        ("/lock on|off", tr!("command-help-lock")),
        ("/auto-reply on|off|TEXT", tr!("command-help-auto-reply")),
        ("/times on|off", tr!("command-help-times")),
        ("/relay on|off", tr!("command-help-relay")),
        ("/wire on|off", tr!("command-help-wire")),
        ("/hex 48 65 6c ...", tr!("command-help-hex")),
        ("/help", tr!("command-help-help")),
        ("/quit", tr!("command-help-quit")),
        ("//text", tr!("command-help-send-slash")),
    ];
    let mut text = tr!("command-help-intro");
    for (command, what) in commands {
        text.push_str(&format!("\n  {command:<24} {what}"));
    }
    text
}

/// Reads one typed line (without its newline). An error is one sentence to show.
pub fn parse(line: &str) -> Result<Command<'_>, String> {
    if line.trim().is_empty() {
        return Ok(Command::Nothing);
    }
    let Some(rest) = line.strip_prefix('/') else {
        return Ok(Command::Send(line));
    };
    if rest.starts_with('/') {
        return Ok(Command::Send(rest));
    }
    let (name, args) = match rest.split_once(char::is_whitespace) {
        Some((name, args)) => (name, args.trim()),
        None => (rest, ""),
    };
    let words: Vec<&str> = args.split_whitespace().collect();
    let none = |command: Command<'static>| {
        if words.is_empty() {
            Ok(command)
        } else {
            Err(tr!("command-takes-nothing", name = name))
        }
    };
    match name {
        "listen" => match words.as_slice() {
            [] => Ok(Command::Listen { port: None }),
            [port] => Ok(Command::Listen { port: Some(port) }),
            _ => Err(tr!("command-listen-usage")),
        },
        "connect" => match words.as_slice() {
            [host] => Ok(Command::Connect { host, port: None }),
            [host, port] => Ok(Command::Connect {
                host,
                port: Some(port),
            }),
            _ => Err(tr!("command-connect-usage")),
        },
        "close" => match words.as_slice() {
            [] => Ok(Command::Close),
            ["listen"] => Ok(Command::CloseListen),
            _ => Err(tr!("command-close-usage")),
        },
        "auto-reply" => match args {
            "" => Err(tr!("command-auto-reply-usage")),
            "on" => Ok(Command::AutoReply(AutoReply::On)),
            "off" => Ok(Command::AutoReply(AutoReply::Off)),
            text => Ok(Command::AutoReply(AutoReply::Text(text))),
        },
        "times" => match args {
            "on" => Ok(Command::Times(true)),
            "off" => Ok(Command::Times(false)),
            _ => Err(tr!("command-times-usage")),
        },
        "relay" => match args {
            "on" => Ok(Command::Relay(true)),
            "off" => Ok(Command::Relay(false)),
            _ => Err(tr!("command-relay-usage")),
        },
        "wire" => match args {
            "on" => Ok(Command::Wire(true)),
            "off" => Ok(Command::Wire(false)),
            _ => Err(tr!("command-wire-usage")),
        },
        "hex" => match args {
            "" => Err(tr!("command-hex-usage")),
            bytes => Ok(Command::Hex(bytes)),
        },
        "peers" => none(Command::Peers),
        "kick" => match words.as_slice() {
            [number] => number
                .parse::<u64>()
                .map(Command::Kick)
                .map_err(|_| tr!("command-kick-usage")),
            _ => Err(tr!("command-kick-usage")),
        },
        "reset" => match words.as_slice() {
            [] => Ok(Command::Reset(None)),
            [number] => number
                .parse::<u64>()
                .map(|n| Command::Reset(Some(n)))
                .map_err(|_| tr!("command-reset-usage")),
            _ => Err(tr!("command-reset-usage")),
        },
        "block" => match words.as_slice() {
            [address] => Ok(Command::Block(address)),
            _ => Err(tr!("command-block-usage", name = name)),
        },
        "unblock" => match words.as_slice() {
            [address] => Ok(Command::Unblock(address)),
            _ => Err(tr!("command-block-usage", name = name)),
        },
        "lock" => match args {
            "on" => Ok(Command::Lock(true)),
            "off" => Ok(Command::Lock(false)),
            _ => Err(tr!("command-lock-usage")),
        },
        "nearby" => none(Command::Nearby),
        "help" | "?" => none(Command::Help),
        "quit" | "exit" => none(Command::Quit),
        _ => Err(tr!("command-unknown", name = name)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_line_is_a_message_kept_as_typed() {
        assert_eq!(parse("hello  there "), Ok(Command::Send("hello  there ")));
        assert_eq!(parse("안녕하세요"), Ok(Command::Send("안녕하세요")));
        assert_eq!(parse("   "), Ok(Command::Nothing));
    }

    #[test]
    fn a_double_slash_sends_the_line_with_one_slash() {
        assert_eq!(parse("//help"), Ok(Command::Send("/help")));
        assert_eq!(parse("//"), Ok(Command::Send("/")));
    }

    #[test]
    fn listen_and_connect_take_their_addresses() {
        assert_eq!(parse("/listen"), Ok(Command::Listen { port: None }));
        assert_eq!(
            parse("/listen 5000"),
            Ok(Command::Listen { port: Some("5000") })
        );
        assert_eq!(
            parse("/connect pi.local"),
            Ok(Command::Connect {
                host: "pi.local",
                port: None
            })
        );
        assert_eq!(
            parse("/connect  ::1   7000"),
            Ok(Command::Connect {
                host: "::1",
                port: Some("7000")
            })
        );
        assert!(parse("/connect").unwrap_err().contains("needs a host"));
    }

    #[test]
    fn close_closes_the_connection_or_the_listener() {
        assert_eq!(parse("/close"), Ok(Command::Close));
        assert_eq!(parse("/close listen"), Ok(Command::CloseListen));
        assert!(parse("/close everything").is_err());
    }

    #[test]
    fn auto_reply_takes_on_off_or_its_text() {
        assert_eq!(
            parse("/auto-reply off"),
            Ok(Command::AutoReply(AutoReply::Off))
        );
        assert_eq!(
            parse("/auto-reply on"),
            Ok(Command::AutoReply(AutoReply::On))
        );
        assert_eq!(
            parse("/auto-reply 잘 받았습니다 "),
            Ok(Command::AutoReply(AutoReply::Text("잘 받았습니다")))
        );
        assert!(parse("/auto-reply").is_err());
    }

    #[test]
    fn times_turn_on_and_off() {
        assert_eq!(parse("/times on"), Ok(Command::Times(true)));
        assert_eq!(parse("/times off"), Ok(Command::Times(false)));
        assert!(parse("/times").is_err());
        assert_eq!(parse("/relay on"), Ok(Command::Relay(true)));
        assert_eq!(parse("/wire off"), Ok(Command::Wire(false)));
        assert_eq!(parse("/hex 48 69 0a"), Ok(Command::Hex("48 69 0a")));
        assert!(parse("/hex").is_err());
        assert!(parse("/wire").is_err());
        assert!(parse("/relay maybe").is_err());
    }

    #[test]
    fn the_teachers_commands_take_a_number_an_address_or_on_and_off() {
        assert_eq!(parse("/kick 3"), Ok(Command::Kick(3)));
        assert_eq!(parse("/reset"), Ok(Command::Reset(None)));
        assert_eq!(parse("/reset 2"), Ok(Command::Reset(Some(2))));
        assert!(parse("/reset out").is_err());
        assert!(parse("/kick three").unwrap_err().contains("/peers"));
        assert!(parse("/kick").is_err());
        assert_eq!(parse("/block 10.0.0.5"), Ok(Command::Block("10.0.0.5")));
        assert_eq!(
            parse("/unblock 10.0.0.0/24"),
            Ok(Command::Unblock("10.0.0.0/24"))
        );
        assert!(parse("/block").unwrap_err().contains("/block 192.168.0.5"));
        assert!(parse("/unblock a b").unwrap_err().contains("/unblock"));
        assert_eq!(parse("/lock on"), Ok(Command::Lock(true)));
        assert_eq!(parse("/lock off"), Ok(Command::Lock(false)));
        assert!(parse("/lock").is_err());
    }

    #[test]
    fn an_unknown_command_says_how_to_send_it_as_text() {
        let err = parse("/hello world").unwrap_err();
        assert_eq!(
            err,
            "/hello is not a command: /help lists them, and //hello sends \"/hello\"."
        );
        assert!(parse("/peers now").unwrap_err().contains("takes nothing"));
        assert_eq!(parse("/quit"), Ok(Command::Quit));
        assert_eq!(parse("/help"), Ok(Command::Help));
    }
}
