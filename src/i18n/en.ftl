## tcp-chat's sentences made in Rust, in English (Project Fluent's format:
## https://projectfluent.org/fluent/guide/). Each has its Korean in ko.ftl, with the same
## placeholders; a test fails otherwise. $ui is "window" or "terminal": a sentence that
## names a button names the terminal's command there.
## The course's fixed words (Start Listening, Stop Listening, Connect :, Disconnect :,
## [rcv], [send], Error :) are written by the code, never here.

## The sentence after "Error : ".

error-port-in-use = port { $port } is already in use: close the program using it, or choose another port
error-port-needs-rights = port { $port } needs administrator rights: use a port from 1024 to 65535
error-listen-failed = cannot listen on { $addr }: { $detail }
error-already-listening = already listening: { $ui ->
        [terminal] type /close listen
       *[other] press Close
    } first to listen on another port
error-already-connected = already connected or connecting: { $ui ->
        [terminal] type /close
       *[other] press Close
    } first to connect elsewhere
error-refused = nothing is listening on { $host } port { $port }: press Listen on the other side first, or check the port
error-timed-out = { $host } did not answer within 5 seconds: check the address, and that both computers are on the same network
error-lookup-timed-out = looking up { $host } took over 5 seconds, so the name server is not answering: type an IP address instead, or check the network
error-unreachable = { $host } cannot be reached from this computer: check the address and the network connection
error-connect-failed = cannot connect to { $host } port { $port }: { $detail }
error-not-connected = not connected: { $ui ->
        [terminal] type /connect HOST
       *[other] press Connect
    }, or wait for a peer to connect to your listener, then send
error-empty-message = the message is empty: type something to send
error-send-dropped = { $peer } is not reading what we send, so a message to it was dropped
error-listener-full = the listener is full ({ $limit } peers): { $peer } was turned away
error-not-allowed = { $peer } was turned away: its address is not allowed to connect (--allow, --deny)
help-allow = Take peers only from this address or range (192.168.0.0/24); repeatable
help-deny = Turn away peers from this address or range; repeatable, and wins over --allow
cli-not-a-range = "{ $text }" is not an address or range: write it as 192.168.0.5, 192.168.0.0/24 or fd00::/64
help-name = The name others see in their Nearby list [default: this computer's host name]
name-empty = the name is empty: type the name others should see, such as Minji
name-too-long = the name is { $bytes } bytes long, and a name can have at most { $max } (21 Korean syllables): make it shorter
name-dot = the name has a dot: leave dots out (a dot would end the name on the network)
name-control = the name has a control character: use letters, digits, spaces and marks
error-blocked = { $peer } was turned away: its address is blocked ({ $ui ->
        [terminal] /unblock
       *[other] Unblock in the Peers list
    } lets it in again)
error-locked = { $peer } was turned away: the listener is locked ({ $ui ->
        [terminal] /lock off
       *[other] untick Lock
    } to take new peers again)
error-no-such-peer = no peer has the number { $number } now (it may have left): { $ui ->
        [terminal] /peers lists the numbers
       *[other] the Peers list shows them
    }
error-not-a-range = "{ $text }" is not an address or range: write it as 192.168.0.5 or 192.168.0.0/24
error-not-blocked = { $range } is not blocked, so there is nothing to unblock (an address turned away by --deny stays so until tcp-chat starts without it)
log-blocked = Blocked { $range }: { $count ->
        [one] 1 peer was
       *[other] { $count } peers were
    } disconnected, and its connections are turned away from now on
log-unblocked = Unblocked { $range }: it may connect again
log-locked = Locked: no new peers are taken, those connected stay
log-unlocked = Unlocked: new peers are taken again
wire-bytes = { $count ->
        [one] 1 byte:
       *[other] { $count } bytes:
    }
wire-more = ({ $count } more)
help-wire = Show every read from a socket and every write the kernel took, as bytes in hex (the window's Wire box, /wire)
command-help-wire = show each read and write as bytes (the wire view)
command-wire-usage = /wire takes on or off.
terminal-wire-on = Wire view on: each read and write is shown as bytes, before the lines it carried.
terminal-wire-off = Wire view off.
peer-tcp = { $state }, rtt { $rtt } ms, { $retransmitted } retransmitted, sent { $sent } in { $writes ->
        [one] 1 write
       *[other] { $writes } writes
    }, received { $received } in { $reads ->
        [one] 1 read
       *[other] { $reads } reads
    }, since { $since }
terminal-peer-ours = ours { $local }
terminal-peer-ours-chosen = ours { $local }, a port the system chose
error-not-hex = "{ $part }" is not hex pairs, so nothing was sent: write each byte as two hex digits, such as 48 65 6c 6c 6f 0a
command-help-hex = send exactly these bytes, typed as hex pairs (48 65 6c 6c 6f 0a)
command-hex-usage = /hex needs the bytes as hex pairs, such as /hex 48 65 6c 6c 6f 0a.
error-host-full = { $peer } was turned away: its address already holds { $limit } connections (--max-per-host), so other computers can still get in
log-coalesced = { $address }: { $connects } connects, { $leaves } disconnects and { $refused } refusals in { $seconds } s, not shown one by one
help-max_per_host = How many of the listener's places one address may hold
error-accept-failed = cannot accept more connections: { $detail }
error-save-log = cannot save the log to { $path }: { $detail }
error-transcript = cannot write the transcript { $path }: { $detail }
error-transcript-failed = cannot write the transcript { $path } any more ({ $detail }): the chat goes on without it
error-no-thread = { $peer } was disconnected at once: { $detail }
error-no-more-threads = the system lets tcp-chat start no more threads (close other programs, or let fewer peers connect)
error-thread-failed = cannot start a thread for it ({ $detail })
error-discovery = cannot look for other chats on the network ({ $detail }): type the other side's address instead

## What an I/O error was, inside the sentences above ({ $detail }).

io-not-found = there is no such file or folder
io-permission-denied = permission denied
io-storage-full = the disk is full
io-read-only = the disk is read-only
io-is-a-folder = it is a folder
io-network-down = the network is down
io-connection-reset = the connection was reset

## What is wrong with an address or port a person typed.

address-empty-port = { $ui ->
        [terminal] the port is empty
       *[other] the port field is empty
    }: type a number from 1 to 65535
address-not-a-port = "{ $text }" is not a port: type a number from 1 to 65535
address-port-out-of-range = { $text } is not a port: a port is a number from 1 to 65535
address-empty-host = { $ui ->
        [terminal] the address is empty
       *[other] the address field is empty
    }: type the other computer's IP address or host name
address-not-an-address = "{ $text }" is not an IP address or a host name: an IPv4 address looks like 192.168.0.10
address-unknown-interface = there is no network interface called "{ $name }" on this computer: the part after % names one, as in fe80::1%eth0
address-link-local = { $ip } is a link-local address: add the network interface it is on, as in { $ip }%eth0
address-not-resolved = the host name "{ $name }" could not be found: check the spelling, or type an IP address
address-not-local = "{ $text }" is not an address of this computer: leave --bind out to listen on all addresses

## Log lines (after the course's fixed words where a line has them).

# Start Listening (...): where the listener can be reached.
log-listening = port { $port } on { $addresses }
log-listening-only = port { $port } on { $addresses } only
# Disconnect : <ip> <port> (...): why, when the peer did not simply close.
log-left-reset-by-peer = reset by the peer: RST, with no FIN before it
log-left-reset-by-us = reset here: RST, with no FIN before it
log-peer-finished = { $peer } finished sending (its FIN came): what is owed to it is still sent, then the connection closes
log-left-broken = connection broken
log-left-by-us = closed here
log-left-not-reading = it stopped reading what we send
log-connecting = Connecting to { $address } ...
log-connected = Connected to { $address }
log-connected-via = Connected to { $address } ({ $ip })
log-connect-cancelled = Connect cancelled
log-saved = Saved { $lines } log { $lines ->
        [one] line
       *[other] lines
    } to { $path }
log-transcript-rotated = The transcript reached { $size }: it was moved to { $moved }, and { $path } starts again
log-cut = ({ $count } more characters not shown)
size-bytes = { $count } bytes

## Saved settings.

settings-not-text = the saved settings in { $path } are not text, so the defaults are used
settings-unreadable = the saved settings in { $path } cannot be read ({ $detail }), so the defaults are used
settings-left-out = some saved settings in { $path } make no sense and were left out: { $fields }
settings-not-saved = tcp-chat: cannot save the settings to { $path }: { $detail }

## Starting the window.

display-none = tcp-chat: there is no display to show the window on (DISPLAY is not set, as over SSH): chat in this terminal with tcp-chat --terminal, or start it from the desktop (-platform offscreen runs the window unseen)
display-no-answer = tcp-chat: the display { $display } does not answer (is its X server still running?): chat in this terminal with tcp-chat --terminal, or start it from the desktop (-platform offscreen runs the window unseen)
qt-not-started = Qt could not start: check that a display is available, or pass -platform offscreen
window-not-created = tcp-chat: the window could not be created from { $url }: is the qml6-module-qtquick-controls package installed?

## The command line.

cli-bind-not-ip = "{ $text }" is not an IP address: --bind takes one, such as 127.0.0.1 or ::1
cli-not-a-size = "{ $text }" is not a size: write it as 500K, 64M or 1G
cli-size-too-small = { $text } is too small: a transcript holds at least 1K
cli-not-a-count = "{ $text }" is not a number from 1 to { $max }
cli-missing-value = it needs a value: write one after it
cli-invalid-value = "{ $value }" is not one of its values: { $values }
cli-unknown-argument = there is no such option: tcp-chat --help lists them
cli-conflict = it cannot go with { $other }: choose one

## --help (help-<argument>; the English is also the doc comment in cli.rs).

help-about = A small TCP chat window: listen for peers, connect to one, send lines of text.
help-after = Qt's own options, such as -platform offscreen or -style Fusion, are passed to Qt.
help-usage = Usage:
help-options = Options:
help-default = default
help-values = possible values
help-terminal = Chat in this terminal instead of a window: over SSH, or in a script with pipes
help-port = Port for Listen and Connect: 12345, or the window's saved one (0 listens on any free port)
help-bind = Listen on this address only (such as 127.0.0.1) instead of every interface
help-listen = Start listening at once
help-connect = Connect at once to HOST, on PORT or on --port
help-auto_reply = Answer each line the listener receives with TEXT [default: "Server OK"]
help-no_auto_reply = Do not answer lines the listener receives
help-line_ending = What ends each line sent
help-line-ending-none = nothing: each message as it is, as the course's scripts send
help-transcript = Append every log line, as shown, to FILE
help-transcript_max = Move the transcript to FILE.1 when it reaches SIZE (such as 64M, 500K, 1G), and start FILE again
help-relay = Room mode: pass each line a peer sends to the listener on to every other peer, as "(<ip> <port>) <text>" (the window's Relay box)
help-timestamps = Show the time (HH:MM:SS) in front of each log line (the window's Times box)
help-lang = The language: en or ko (default: the system's, from LANGUAGE, LC_ALL, LC_MESSAGES or LANG)
help-no_settings = Start the window with the defaults, and remember nothing when it closes (otherwise it keeps its address, port, auto-reply and size in ~/.config/tcp-chat/tcp-chat.conf)
help-no_discovery = Do not announce the listener on the LAN, nor list the chats nearby (DNS-SD over mDNS)
help-max_peers = How many peers may be connected to the listener at once
help-log_lines = How many lines the window's log keeps (the transcript keeps every line)
help-help = Print help
help-version = Print version

## tcp-chat --terminal.

terminal-no-printer = tcp-chat: the terminal could not start a thread to print the log ({ $detail }).
terminal-not-answering = tcp-chat: the terminal stopped answering ({ $detail }).
pipe-no-printer = tcp-chat: could not start a thread to print the log ({ $detail }).
pipe-stdin-unreadable = tcp-chat: stdin could not be read ({ $detail }).
terminal-not-connected = Not connected: there is no connection to close.
terminal-not-listening = Not listening: there is no listener to close.
terminal-auto-reply-on = Auto-reply on: each line received is answered with "{ $text }".
terminal-auto-reply-off = Auto-reply off: lines received are not answered.
terminal-relay-on = Relay on: each line a peer sends is passed on to the other peers.
terminal-relay-off = Relay off: lines from peers stay here.
terminal-no-peers = No peer is connected.
terminal-peers = { $count ->
        [one] 1 peer:
       *[other] { $count } peers:
    }
terminal-connected-to = connected to { $peer }
terminal-connected-from = connected from { $peer }
terminal-nearby-none = No tcp-chat listening on this network was found (yet).
terminal-nearby-off = Finding chats nearby is off (--no-discovery).
terminal-nearby = { $count ->
        [one] 1 chat nearby (/connect NAME connects to it):
       *[other] { $count } chats nearby (/connect NAME connects to one):
    }
terminal-nearby-entry = { $name }   { $address } port { $port }
command-help-kick = disconnect peer N of /peers
command-help-block = disconnect every peer from ADDRESS (or a range: 192.168.0.0/24) and turn it away until /unblock
command-help-unblock = let a blocked ADDRESS connect again
command-help-lock = take no new peers (those connected stay), or take them again
command-kick-usage = /kick needs the number /peers shows, such as /kick 3.
command-block-usage = /{ $name } needs one address or range, such as /{ $name } 192.168.0.5.
command-lock-usage = /lock takes on or off.
terminal-locked-already = The listener is locked already: /lock off takes new peers again.
terminal-unlocked-already = The listener is not locked: it takes new peers.
command-help-reset = end the connection you made, or peer N, with RST instead of FIN
command-reset-usage = /reset ends the connection you made, and /reset 3 peer 3 of /peers, with RST.
command-help-nearby = the tcp-chat listeners on this network
command-takes-nothing = /{ $name } takes nothing after it: type /{ $name } alone.
command-listen-usage = /listen takes one port at most, such as /listen 12345.
command-connect-usage = /connect needs a host and may take a port, such as /connect 192.168.0.10 12345.
command-close-usage = /close closes the connection, and /close listen stops listening.
command-auto-reply-usage = /auto-reply needs on, off, or the text to answer with.
command-times-usage = /times takes on or off.
command-relay-usage = /relay takes on or off.
command-unknown = /{ $name } is not a command: /help lists them, and //{ $name } sends "/{ $name }".
command-help-intro = Type a line and press Enter to send it: to the peer you connected to, else to every peer of the listener.
command-help-listen = listen for peers
command-help-connect = connect to HOST (HOST:PORT works too)
command-help-close = close the connection, or stop connecting
command-help-close-listen = stop listening; every peer is disconnected
command-help-peers = who is connected
command-help-auto-reply = answer each line the listener receives (TEXT: with what)
command-help-times = show the time in front of each log line
command-help-relay = room mode: pass each peer's lines on to the other peers
command-help-help = this list
command-help-quit = close everything and leave (Ctrl-C and Ctrl-D too)
command-help-send-slash = send "/text"
