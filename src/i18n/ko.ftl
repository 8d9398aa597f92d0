## tcp-chat이 Rust에서 만드는 문장의 한국어 (en.ftl과 같은 메시지, 같은 자리 표시자).
## 짧고 공손하게(합니다/하세요), 수업의 용어로(서버, 클라이언트, 포트, 접속).
## 수업 슬라이드의 고정된 말(Listen, Connect, Send, Close, Start Listening, Connect :,
## [rcv], [send], Error :)은 영어 그대로 둡니다.

## "Error : " 뒤의 문장.

error-port-in-use = 포트 { $port }번은 이미 사용 중입니다: 그 포트를 쓰는 프로그램을 닫거나 다른 포트를 고르세요
error-port-needs-rights = 포트 { $port }번은 관리자 권한이 있어야 쓸 수 있습니다: 1024부터 65535까지의 포트를 쓰세요
error-listen-failed = { $addr }에서 접속을 기다릴 수 없습니다: { $detail }
error-already-listening = 이미 서버가 열려 있습니다: 다른 포트로 열려면 { $ui ->
        [terminal] 먼저 /close listen을 입력하세요
       *[other] 먼저 Close를 누르세요
    }
error-already-connected = 이미 접속했거나 접속하는 중입니다: 다른 곳에 접속하려면 { $ui ->
        [terminal] 먼저 /close를 입력하세요
       *[other] 먼저 Close를 누르세요
    }
error-refused = { $host } 포트 { $port }번에서 기다리는 서버가 없습니다: 상대편에서 먼저 Listen을 누르거나 포트를 확인하세요
error-timed-out = { $host }에서 5초 안에 응답이 없습니다: 주소를 확인하고, 두 컴퓨터가 같은 네트워크에 있는지 확인하세요
error-lookup-timed-out = { $host }의 주소를 찾는 데 5초가 넘게 걸렸습니다(네임 서버가 응답하지 않습니다): IP 주소를 직접 입력하거나 네트워크를 확인하세요
error-unreachable = 이 컴퓨터에서 { $host }에 닿을 수 없습니다: 주소와 네트워크 연결을 확인하세요
error-connect-failed = { $host } 포트 { $port }번에 접속할 수 없습니다: { $detail }
error-not-connected = 접속되어 있지 않습니다: { $ui ->
        [terminal] /connect HOST로 접속하거나
       *[other] Connect를 누르거나
    } 상대가 내 서버에 접속할 때까지 기다린 다음 보내세요
error-empty-message = 메시지가 비어 있습니다: 보낼 내용을 입력하세요
error-send-dropped = { $peer } 쪽에서 보낸 것을 읽지 않아 메시지 하나를 버렸습니다
error-listener-full = 서버가 가득 찼습니다(최대 { $limit }명): { $peer }의 접속을 거절했습니다
error-not-allowed = { $peer }의 접속을 거절했습니다: 접속이 허용되지 않은 주소입니다(--allow, --deny)
help-allow = 이 주소나 범위(192.168.0.0/24)의 상대만 받기, 여러 번 쓸 수 있음
help-deny = 이 주소나 범위의 상대는 거절하기, 여러 번 쓸 수 있고 --allow보다 우선함
cli-not-a-range = "{ $text }"은(는) 주소나 범위가 아닙니다: 192.168.0.5, 192.168.0.0/24, fd00::/64처럼 쓰세요
help-name = 다른 사람의 Nearby 목록에 보일 이름 [기본: 이 컴퓨터의 호스트 이름]
name-empty = 이름이 비어 있습니다: 다른 사람에게 보일 이름(예: 민지)을 입력하세요
name-too-long = 이름이 { $bytes }바이트입니다. 이름은 최대 { $max }바이트(한글 21자)까지입니다: 더 짧게 줄이세요
name-dot = 이름에 점(.)이 있습니다: 점을 빼세요(네트워크에서 점은 이름의 끝을 뜻합니다)
name-control = 이름에 제어 문자가 있습니다: 글자, 숫자, 공백, 기호를 쓰세요
error-blocked = { $peer }의 접속을 거절했습니다: 차단된 주소입니다({ $ui ->
        [terminal] /unblock
       *[other] 접속자 목록의 차단 해제
    }로 다시 들어올 수 있습니다)
error-locked = { $peer }의 접속을 거절했습니다: 리스너가 잠겨 있습니다(새 접속을 받으려면 { $ui ->
        [terminal] /lock off
       *[other] 잠금 해제
    })
error-no-such-peer = 지금 { $number }번 접속자는 없습니다(나갔을 수 있습니다): { $ui ->
        [terminal] /peers가 번호를 보여 줍니다
       *[other] 접속자 목록이 번호를 보여 줍니다
    }
error-not-a-range = "{ $text }"는 주소나 주소 범위가 아닙니다: 192.168.0.5나 192.168.0.0/24처럼 쓰세요
error-not-blocked = { $range }는 차단되어 있지 않아서 해제할 것이 없습니다(--deny로 거절된 주소는 그 옵션 없이 다시 시작해야 풀립니다)
log-blocked = { $range } 차단: 접속자 { $count }명의 연결을 끊었고, 앞으로 이 주소의 접속은 거절합니다
log-unblocked = { $range } 차단 해제: 다시 접속할 수 있습니다
log-locked = 잠금: 새 접속자를 받지 않습니다. 접속해 있는 사람은 그대로입니다
log-unlocked = 잠금 해제: 새 접속자를 다시 받습니다
wire-bytes = { $count }바이트:
wire-more = (나머지 { $count }바이트)
help-wire = 소켓에서 읽은 것과 커널이 받아 간 쓰기를 하나하나 16진수 바이트로 보여 줍니다(창의 Wire 상자, /wire)
command-help-wire = 읽기와 쓰기를 바이트로 봅니다(와이어 보기)
command-wire-usage = /wire 뒤에는 on이나 off를 쓰세요.
terminal-wire-on = 와이어 보기 켬: 읽기와 쓰기를 하나하나 바이트로, 그 바이트가 실어 온 줄보다 먼저 보여 줍니다.
terminal-wire-off = 와이어 보기 끔.
peer-tcp = { $state }, rtt { $rtt } ms, 재전송 { $retransmitted }번, 보냄 { $sent }(쓰기 { $writes }번), 받음 { $received }(읽기 { $reads }번), { $since }부터
terminal-peer-ours = 이쪽 { $local }
terminal-peer-ours-chosen = 이쪽 { $local }, 시스템이 고른 포트
error-not-hex = "{ $part }"는 16진수 두 자리씩이 아니어서 아무것도 보내지 않았습니다: 바이트마다 48 65 6c 6c 6f 0a처럼 16진수 두 자리로 쓰세요
command-help-hex = 16진수 두 자리씩 쓴 바이트를 그대로 보냅니다(48 65 6c 6c 6f 0a)
command-hex-usage = /hex 뒤에는 바이트를 16진수 두 자리씩 쓰세요. 예: /hex 48 65 6c 6c 6f 0a
error-host-full = { $peer }의 접속을 거절했습니다: 그 주소에서 이미 { $limit }개가 접속해 있어서(--max-per-host), 다른 컴퓨터는 계속 들어올 수 있습니다
log-coalesced = { $address }: { $seconds }초 동안 접속 { $connects }번, 접속 끊김 { $leaves }번, 거절 { $refused }번은 하나씩 표시하지 않았습니다
help-max_per_host = 주소 하나가 차지할 수 있는 서버 자리 수
error-accept-failed = 더 이상 접속을 받을 수 없습니다: { $detail }
error-save-log = 기록을 { $path }에 저장할 수 없습니다: { $detail }
error-transcript = 대화 기록 파일 { $path }에 쓸 수 없습니다: { $detail }
error-transcript-failed = 대화 기록 파일 { $path }에 더 이상 쓸 수 없습니다({ $detail }): 채팅은 파일 없이 계속됩니다
error-no-thread = { $peer }의 접속을 바로 끊었습니다: { $detail }
error-no-more-threads = 시스템이 tcp-chat에 스레드를 더 만들어 주지 않습니다(다른 프로그램을 닫거나, 접속하는 상대 수를 줄이세요)
error-thread-failed = 이 접속을 맡을 스레드를 만들 수 없습니다({ $detail })
error-discovery = 네트워크에서 다른 채팅을 찾을 수 없습니다({ $detail }): 상대의 주소를 직접 입력하세요

## 위 문장 안에 들어가는 입출력 오류 ({ $detail }).

io-not-found = 그런 파일이나 폴더가 없습니다
io-permission-denied = 권한이 없습니다
io-storage-full = 디스크가 가득 찼습니다
io-read-only = 읽기 전용 디스크입니다
io-is-a-folder = 폴더입니다
io-network-down = 네트워크가 꺼져 있습니다
io-connection-reset = 연결이 끊겼습니다

## 입력한 주소나 포트의 문제.

address-empty-port = { $ui ->
        [terminal] 포트가 비어 있습니다
       *[other] 포트 칸이 비어 있습니다
    }: 1부터 65535까지의 숫자를 입력하세요
address-not-a-port = "{ $text }"은(는) 포트가 아닙니다: 1부터 65535까지의 숫자를 입력하세요
address-port-out-of-range = { $text }은(는) 포트가 아닙니다: 포트는 1부터 65535까지의 숫자입니다
address-empty-host = { $ui ->
        [terminal] 주소가 비어 있습니다
       *[other] 주소 칸이 비어 있습니다
    }: 상대 컴퓨터의 IP 주소나 호스트 이름을 입력하세요
address-not-an-address = "{ $text }"은(는) IP 주소도 호스트 이름도 아닙니다: IPv4 주소는 192.168.0.10과 같은 모양입니다
address-unknown-interface = 이 컴퓨터에는 "{ $name }"(이)라는 네트워크 인터페이스가 없습니다: % 뒤에는 fe80::1%eth0처럼 인터페이스 이름을 씁니다
address-link-local = { $ip }은(는) 링크 로컬 주소입니다: { $ip }%eth0처럼 그 주소가 있는 네트워크 인터페이스를 붙이세요
address-not-resolved = 호스트 이름 "{ $name }"을(를) 찾을 수 없습니다: 철자를 확인하거나 IP 주소를 입력하세요
address-not-local = "{ $text }"은(는) 이 컴퓨터의 주소가 아닙니다: 모든 주소에서 기다리려면 --bind를 빼세요

## 로그 줄 (수업의 고정된 말이 있는 줄은 그 뒤).

log-listening = 포트 { $port }번, { $addresses }
log-listening-only = 포트 { $port }번, { $addresses }에서만
log-left-reset-by-peer = 상대가 리셋함: FIN 없이 RST
log-left-reset-by-us = 여기서 리셋함: FIN 없이 RST
log-peer-finished = { $peer }가 보내기를 마쳤습니다(FIN이 왔습니다): 보낼 것은 마저 보내고 연결을 닫습니다
log-left-broken = 연결이 끊어짐
log-left-by-us = 여기서 닫음
log-left-not-reading = 상대가 보낸 것을 읽지 않음
log-connecting = { $address }에 접속하는 중 ...
log-connected = { $address }에 접속했습니다
log-connected-via = { $address }({ $ip })에 접속했습니다
log-connect-cancelled = 접속을 취소했습니다
log-saved = 기록 { $lines }줄을 { $path }에 저장했습니다
log-transcript-rotated = 대화 기록 파일이 { $size }에 이르러 { $moved }(으)로 옮겼습니다: { $path }은(는) 새로 시작합니다
log-cut = (나머지 { $count }글자는 보이지 않습니다)
size-bytes = { $count }바이트

## 저장된 설정.

settings-not-text = { $path }에 저장된 설정이 텍스트가 아니어서 기본값을 씁니다
settings-unreadable = { $path }에 저장된 설정을 읽을 수 없어({ $detail }) 기본값을 씁니다
settings-left-out = { $path }에 저장된 설정 중 맞지 않는 값은 쓰지 않았습니다: { $fields }
settings-not-saved = tcp-chat: 설정을 { $path }에 저장할 수 없습니다: { $detail }

## 창을 띄울 때.

display-none = tcp-chat: 창을 띄울 화면이 없습니다(SSH로 접속했을 때처럼 DISPLAY가 없습니다): tcp-chat --terminal로 이 터미널에서 채팅하거나, 데스크톱에서 실행하세요(-platform offscreen은 창을 보이지 않게 띄웁니다)
display-no-answer = tcp-chat: 화면 { $display }이(가) 응답하지 않습니다(X 서버가 아직 실행 중인가요?): tcp-chat --terminal로 이 터미널에서 채팅하거나, 데스크톱에서 실행하세요(-platform offscreen은 창을 보이지 않게 띄웁니다)
qt-not-started = Qt를 시작할 수 없습니다: 화면이 있는지 확인하거나 -platform offscreen을 주세요
window-not-created = tcp-chat: { $url }에서 창을 만들 수 없습니다: qml6-module-qtquick-controls 패키지가 설치되어 있나요?

## 명령줄.

cli-bind-not-ip = "{ $text }"은(는) IP 주소가 아닙니다: --bind에는 127.0.0.1이나 ::1 같은 주소를 주세요
cli-not-a-size = "{ $text }"은(는) 크기가 아닙니다: 500K, 64M, 1G처럼 쓰세요
cli-size-too-small = { $text }은(는) 너무 작습니다: 대화 기록 파일은 1K 이상이어야 합니다
cli-not-a-count = "{ $text }"은(는) 1부터 { $max }까지의 숫자가 아닙니다
cli-missing-value = 값이 있어야 합니다: 뒤에 값을 쓰세요
cli-invalid-value = "{ $value }"은(는) 쓸 수 있는 값이 아닙니다: { $values } 중 하나를 쓰세요
cli-unknown-argument = 그런 옵션은 없습니다: tcp-chat --help로 옵션을 볼 수 있습니다
cli-conflict = { $other }와(과) 함께 쓸 수 없습니다: 하나만 고르세요

## --help.

help-about = 작은 TCP 채팅 창: 상대의 접속을 기다리거나, 상대에게 접속해서 글을 주고받습니다.
help-after = -platform offscreen이나 -style Fusion 같은 Qt의 옵션은 Qt에 그대로 전달합니다.
help-usage = 사용법:
help-options = 옵션:
help-default = 기본값
help-values = 가능한 값
help-terminal = 창 대신 이 터미널에서 채팅합니다: SSH로 접속했을 때나, 파이프를 쓰는 스크립트에서
help-port = Listen과 Connect에 쓸 포트: 12345 또는 창에 저장된 포트 (0이면 비어 있는 아무 포트에서 기다립니다)
help-bind = 모든 인터페이스 대신 이 주소(예: 127.0.0.1)에서만 접속을 기다립니다
help-listen = 시작하자마자 접속을 기다립니다(Listen)
help-connect = 시작하자마자 HOST에 접속합니다(PORT 또는 --port의 포트로)
help-auto_reply = 서버가 받은 줄마다 TEXT로 답합니다 [기본값: "Server OK"]
help-no_auto_reply = 서버가 받은 줄에 답하지 않습니다
help-line_ending = 보내는 줄마다 끝에 붙일 것
help-line-ending-none = 아무것도 붙이지 않습니다: 수업의 스크립트처럼 메시지를 그대로 보냅니다
help-transcript = 모든 로그 줄을 보이는 그대로 FILE에 덧붙여 씁니다
help-transcript_max = 대화 기록 파일이 SIZE(예: 64M, 500K, 1G)에 이르면 FILE.1로 옮기고 FILE을 새로 시작합니다
help-relay = 중계(방 모드): 서버가 상대에게서 받은 줄을 다른 상대 모두에게 "(<ip> <port>) <text>"로 전달합니다(창의 중계 상자)
help-timestamps = 로그 줄마다 앞에 시각(HH:MM:SS)을 표시합니다(창의 시각 상자)
help-lang = 언어: en 또는 ko (기본값: LANGUAGE, LC_ALL, LC_MESSAGES, LANG에 따른 시스템의 언어)
help-no_settings = 창을 기본값으로 시작하고, 닫을 때 아무것도 저장하지 않습니다 (보통은 주소, 포트, 자동 응답, 창 크기를 ~/.config/tcp-chat/tcp-chat.conf에 저장합니다)
help-no_discovery = 서버를 네트워크에 알리지 않고, 근처의 채팅도 찾지 않습니다(mDNS의 DNS-SD)
help-max_peers = 서버에 동시에 접속할 수 있는 상대 수
help-log_lines = 창의 기록에 남길 줄 수 (대화 기록 파일에는 모든 줄이 남습니다)
help-help = 도움말을 보여 줍니다
help-version = 버전을 보여 줍니다

## tcp-chat --terminal.

terminal-no-printer = tcp-chat: 터미널에 기록을 출력할 스레드를 만들 수 없습니다({ $detail }).
terminal-not-answering = tcp-chat: 터미널이 응답하지 않습니다({ $detail }).
pipe-no-printer = tcp-chat: 기록을 출력할 스레드를 만들 수 없습니다({ $detail }).
pipe-stdin-unreadable = tcp-chat: 표준 입력을 읽을 수 없습니다({ $detail }).
terminal-not-connected = 접속되어 있지 않습니다: 닫을 접속이 없습니다.
terminal-not-listening = 서버가 열려 있지 않습니다: 닫을 서버가 없습니다.
terminal-auto-reply-on = 자동 응답 켬: 받은 줄마다 "{ $text }"(으)로 답합니다.
terminal-auto-reply-off = 자동 응답 끔: 받은 줄에 답하지 않습니다.
terminal-relay-on = 중계 켬: 상대가 보낸 줄을 다른 상대 모두에게 전달합니다.
terminal-relay-off = 중계 끔: 상대가 보낸 줄은 여기에만 보입니다.
terminal-no-peers = 접속한 상대가 없습니다.
terminal-peers = 접속한 상대 { $count }명:
terminal-connected-to = { $peer }에 접속함
terminal-connected-from = { $peer }에서 접속함
terminal-nearby-none = 이 네트워크에서 기다리는 tcp-chat을 (아직) 찾지 못했습니다.
terminal-nearby-off = 근처의 채팅 찾기가 꺼져 있습니다(--no-discovery).
terminal-nearby = 근처의 채팅 { $count }개 (/connect 이름 으로 접속합니다):
terminal-nearby-entry = { $name }   { $address } 포트 { $port }
command-help-kick = /peers의 N번 접속자의 연결을 끊습니다
command-help-block = ADDRESS(또는 192.168.0.0/24 같은 범위)의 접속자를 모두 끊고 /unblock 할 때까지 거절합니다
command-help-unblock = 차단한 ADDRESS가 다시 접속할 수 있게 합니다
command-help-lock = 새 접속자를 받지 않거나(접속해 있는 사람은 그대로) 다시 받습니다
command-kick-usage = /kick 뒤에는 /peers가 보여 주는 번호를 쓰세요. 예: /kick 3
command-block-usage = /{ $name } 뒤에는 주소나 범위를 하나 쓰세요. 예: /{ $name } 192.168.0.5
command-lock-usage = /lock 뒤에는 on이나 off를 쓰세요.
terminal-locked-already = 이미 잠겨 있습니다: /lock off 하면 새 접속자를 다시 받습니다.
terminal-unlocked-already = 잠겨 있지 않습니다: 새 접속자를 받고 있습니다.
command-help-reset = 내가 만든 연결이나 N번 접속자의 연결을 FIN 대신 RST로 끊습니다
command-reset-usage = /reset은 내가 만든 연결을, /reset 3은 /peers의 3번 접속자를 RST로 끊습니다.
command-help-nearby = 이 네트워크에서 기다리는 tcp-chat 목록을 봅니다
command-takes-nothing = /{ $name } 뒤에는 아무것도 쓰지 않습니다: /{ $name }만 입력하세요.
command-listen-usage = /listen에는 포트를 하나만 줄 수 있습니다: /listen 12345처럼 쓰세요.
command-connect-usage = /connect에는 호스트가 있어야 하고 포트를 줄 수 있습니다: /connect 192.168.0.10 12345처럼 쓰세요.
command-close-usage = /close는 접속을 끊고, /close listen은 서버를 닫습니다.
command-auto-reply-usage = /auto-reply에는 on, off 또는 답할 글을 주세요.
command-times-usage = /times에는 on 또는 off를 주세요.
command-relay-usage = /relay에는 on 또는 off를 주세요.
command-unknown = /{ $name }은(는) 명령이 아닙니다: /help로 명령을 볼 수 있고, //{ $name }은(는) "/{ $name }"을(를) 보냅니다.
command-help-intro = 한 줄을 입력하고 Enter를 누르면 보냅니다: 내가 접속한 상대에게, 아니면 내 서버에 접속한 상대 모두에게.
command-help-listen = 상대의 접속을 기다립니다
command-help-connect = HOST에 접속합니다 (HOST:PORT도 됩니다)
command-help-close = 접속을 끊거나, 접속하던 것을 그만둡니다
command-help-close-listen = 서버를 닫습니다: 접속한 상대는 모두 끊어집니다
command-help-peers = 누가 접속해 있는지 봅니다
command-help-auto-reply = 서버가 받은 줄마다 답합니다 (TEXT: 답할 글)
command-help-times = 로그 줄마다 앞에 시각을 표시합니다
command-help-relay = 중계(방 모드): 상대가 보낸 줄을 다른 상대 모두에게 전달합니다
command-help-help = 이 목록을 봅니다
command-help-quit = 모두 닫고 끝냅니다 (Ctrl-C, Ctrl-D도 같습니다)
command-help-send-slash = "/text"를 보냅니다
