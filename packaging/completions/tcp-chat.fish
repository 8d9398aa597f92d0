complete -c tcp-chat -l port -d 'Port for Listen and Connect: 12345, or the window\'s saved one (0 listens on any free port)' -r
complete -c tcp-chat -l bind -d 'Listen on this address only (such as 127.0.0.1) instead of every interface' -r
complete -c tcp-chat -l connect -d 'Connect at once to HOST, on PORT or on --port' -r
complete -c tcp-chat -l auto-reply -d 'Answer each line the listener receives with TEXT [default: "Server OK"]' -r
complete -c tcp-chat -l line-ending -d 'What ends each line sent' -r -f -a "lf\t'\\n'
crlf\t'\\r\\n'
none\t'nothing: each message as it is, as the course\'s scripts send'"
complete -c tcp-chat -l transcript -d 'Append every log line, as shown, to FILE' -r -F
complete -c tcp-chat -l transcript-max -d 'Move the transcript to FILE.1 when it reaches SIZE (such as 64M, 500K, 1G), and start FILE again' -r
complete -c tcp-chat -l lang -d 'The language: en or ko (default: the system\'s, from LANGUAGE, LC_ALL, LC_MESSAGES or LANG)' -r -f -a "en\t''
ko\t''"
complete -c tcp-chat -l max-peers -d 'How many peers may be connected to the listener at once' -r
complete -c tcp-chat -l allow -d 'Take peers only from this address or range (192.168.0.0/24); repeatable' -r
complete -c tcp-chat -l deny -d 'Turn away peers from this address or range; repeatable, and wins over --allow' -r
complete -c tcp-chat -l name -d 'The name others see in their Nearby list [default: this computer\'s host name]' -r
complete -c tcp-chat -l max-per-host -d 'How many of the listener\'s places one address may hold' -r
complete -c tcp-chat -l log-lines -d 'How many lines the window\'s log keeps (the transcript keeps every line)' -r
complete -c tcp-chat -l terminal -d 'Chat in this terminal instead of a window: over SSH, or in a script with pipes'
complete -c tcp-chat -l listen -d 'Start listening at once'
complete -c tcp-chat -l no-auto-reply -d 'Do not answer lines the listener receives'
complete -c tcp-chat -l relay -d 'Room mode: pass each line a peer sends to the listener on to every other peer, as "(<ip> <port>) <text>" (the window\'s Relay box)'
complete -c tcp-chat -l wire -d 'Show every read from a socket and every write the kernel took, as bytes in hex (the window\'s Wire box, /wire)'
complete -c tcp-chat -l timestamps -d 'Show the time (HH:MM:SS) in front of each log line (the window\'s Times box)'
complete -c tcp-chat -l no-settings -d 'Start the window with the defaults, and remember nothing when it closes (otherwise it keeps its address, port, auto-reply and size in ~/.config/tcp-chat/tcp-chat.conf)'
complete -c tcp-chat -l no-discovery -d 'Do not announce the listener on the LAN, nor list the chats nearby (DNS-SD over mDNS)'
complete -c tcp-chat -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tcp-chat -s V -l version -d 'Print version'
