<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ko_KR">
<context>
    <name>main</name>
    <message>
        <source>tcp-chat - listening on port %1</source>
        <translation>tcp-chat - 포트 %1에서 서버 대기 중</translation>
    </message>
    <message>
        <source>tcp-chat</source>
        <translation>tcp-chat</translation>
    </message>
    <message>
        <source>Save the log</source>
        <translation>기록 저장</translation>
    </message>
    <message>
        <source>Text files (*.txt)</source>
        <translation>텍스트 파일 (*.txt)</translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation>모든 파일 (*)</translation>
    </message>
    <message>
        <source>This computer:</source>
        <translation>이 컴퓨터:</translation>
    </message>
    <message>
        <source>This computer&apos;s host name and addresses</source>
        <translation>이 컴퓨터의 이름과 주소</translation>
    </message>
    <message>
        <source>connected</source>
        <translation>접속됨</translation>
    </message>
    <message>
        <source>connecting...</source>
        <translation>접속 중...</translation>
    </message>
    <message>
        <source>listening on %1</source>
        <translation>포트 %1 대기 중</translation>
    </message>
    <message>
        <source>idle</source>
        <translation>대기</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>이름</translation>
    </message>
    <message>
        <source>The name others see in Nearby</source>
        <translation>다른 사람의 Nearby에 보일 이름</translation>
    </message>
    <message>
        <source>The name others see in their Nearby list; empty: this computer&apos;s name</source>
        <translation>다른 사람의 Nearby 목록에 보일 이름, 비우면 이 컴퓨터의 이름</translation>
    </message>
    <message>
        <source>State</source>
        <translation>상태</translation>
    </message>
    <message numerus="yes">
        <source>%n peer(s)</source>
        <translation>
            <numerusform>%n명 접속</numerusform>
        </translation>
    </message>
    <message>
        <source>Connected peers</source>
        <translation>접속한 상대 수</translation>
    </message>
    <message>
        <source>IP</source>
        <translation>IP</translation>
    </message>
    <message>
        <source>address or host name of the other side</source>
        <translation>상대의 IP 주소나 호스트 이름</translation>
    </message>
    <message>
        <source>Peer address</source>
        <translation>상대 주소</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>포트</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>Listen</source>
        <translation>Listen</translation>
    </message>
    <message>
        <source>Close the listener</source>
        <translation>서버를 닫습니다</translation>
    </message>
    <message>
        <source>Connecting...</source>
        <translation>접속 중...</translation>
    </message>
    <message>
        <source>Connect</source>
        <translation>Connect</translation>
    </message>
    <message>
        <source>Close the connection</source>
        <translation>접속을 끊습니다</translation>
    </message>
    <message>
        <source>Cancel connecting</source>
        <translation>접속을 취소합니다</translation>
    </message>
    <message>
        <source>Chat log</source>
        <translation>채팅 기록</translation>
    </message>
    <message>
        <source>message</source>
        <translation>메시지</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>메시지</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Send</translation>
    </message>
    <message>
        <source>Auto-reply</source>
        <translation>자동 응답</translation>
    </message>
    <message>
        <source>Answer each received line automatically</source>
        <translation>받은 줄마다 자동으로 답합니다</translation>
    </message>
    <message>
        <source>Auto-reply text</source>
        <translation>자동 응답 문구</translation>
    </message>
    <message>
        <source>Times</source>
        <translation>시각</translation>
    </message>
    <message>
        <source>Show the time of each line</source>
        <translation>줄마다 시각을 표시합니다</translation>
    </message>
    <message>
        <source>Copy log</source>
        <translation>기록 복사</translation>
    </message>
    <message>
        <source>Copy the whole log</source>
        <translation>기록 전체를 복사합니다</translation>
    </message>
    <message>
        <source>Save log...</source>
        <translation>기록 저장...</translation>
    </message>
    <message>
        <source>Save the log to a file</source>
        <translation>기록을 파일로 저장합니다</translation>
    </message>
    <message>
        <source>Relay</source>
        <translation>중계</translation>
    </message>
    <message>
        <source>Pass each peer&apos;s lines on to the other peers</source>
        <translation>받은 줄을 다른 상대 모두에게 전달합니다</translation>
    </message>
    <message>
        <source>Nearby</source>
        <translation>근처</translation>
    </message>
    <message>
        <source>Nearby chats</source>
        <translation>근처의 채팅</translation>
    </message>
    <message>
        <source>%1   %2 port %3</source>
        <translation>%1   %2 포트 %3</translation>
    </message>
    <message>
        <source>%1 (%2): click to fill IP and port, double-click to connect</source>
        <translation>%1 (%2): 누르면 IP와 포트를 채우고, 두 번 누르면 접속합니다</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%2개 중 %1개</translation>
    </message>
    <message>
        <source>%1 of %2 chats shown</source>
        <translation>채팅 %2개 중 %1개 표시</translation>
    </message>
    <message>
        <source>filter: part of a name or address</source>
        <translation>찾기: 이름이나 주소의 일부</translation>
    </message>
    <message>
        <source>Filter the nearby chats</source>
        <translation>주변 채팅 찾기</translation>
    </message>
    <message>
        <source>Peers (%1)</source>
        <translation>접속자 (%1)</translation>
    </message>
    <message>
        <source>Hide the Peers list</source>
        <translation>접속자 목록 숨기기</translation>
    </message>
    <message>
        <source>Show the Peers list</source>
        <translation>접속자 목록 보기</translation>
    </message>
    <message>
        <source>Lock</source>
        <translation>잠금</translation>
    </message>
    <message>
        <source>Lock: take no new peers</source>
        <translation>잠금: 새 접속자를 받지 않음</translation>
    </message>
    <message>
        <source>Take no new peers; those connected stay</source>
        <translation>새 접속자를 받지 않습니다. 접속해 있는 사람은 그대로입니다</translation>
    </message>
    <message>
        <source>blocked: %1</source>
        <translation>차단됨: %1</translation>
    </message>
    <message>
        <source>Unblock</source>
        <translation>차단 해제</translation>
    </message>
    <message>
        <source>Unblock %1</source>
        <translation>%1 차단 해제</translation>
    </message>
    <message>
        <source>Peers</source>
        <translation>접속자 목록</translation>
    </message>
    <message>
        <source>%1  to %2 (ours: %3, a port the system chose)</source>
        <translation>%1  %2에 연결 (이쪽: %3, 시스템이 고른 포트)</translation>
    </message>
    <message>
        <source>%1  from %2 (ours: %3)</source>
        <translation>%1  %2에서 접속 (이쪽: %3)</translation>
    </message>
    <message>
        <source>Disconnect</source>
        <translation>연결 끊기</translation>
    </message>
    <message>
        <source>Disconnect %1</source>
        <translation>%1 연결 끊기</translation>
    </message>
    <message>
        <source>Block</source>
        <translation>차단</translation>
    </message>
    <message>
        <source>Block %1</source>
        <translation>%1 차단</translation>
    </message>
    <message>
        <source>Disconnect every peer from %1 and turn it away until Unblock</source>
        <translation>%1의 접속자를 모두 끊고, 차단 해제할 때까지 거절합니다</translation>
    </message>
    <message>
        <source>Wire</source>
        <translation>와이어</translation>
    </message>
    <message>
        <source>Show each read and write as bytes</source>
        <translation>읽기와 쓰기를 바이트로 보기</translation>
    </message>
    <message>
        <source>Show each read from a peer and each write to it as the bytes that went over TCP, before the lines they carried</source>
        <translation>상대에게서 읽은 것과 상대에게 쓴 것을 TCP로 오간 바이트 그대로, 그 바이트가 실어 온 줄보다 먼저 보여 줍니다</translation>
    </message>
    <message>
        <source>Reset</source>
        <translation>Reset</translation>
    </message>
    <message>
        <source>Reset %1</source>
        <translation>%1 리셋</translation>
    </message>
    <message>
        <source>End the connection with RST instead of FIN: compare what the other side reports</source>
        <translation>FIN 대신 RST로 연결을 끊습니다: 상대 쪽이 무엇을 알리는지 비교해 보세요</translation>
    </message>
    <message>
        <source>bytes as hex pairs: 48 65 6c 6c 6f 0a</source>
        <translation>16진수 두 자리씩 쓴 바이트: 48 65 6c 6c 6f 0a</translation>
    </message>
    <message>
        <source>Hex</source>
        <translation>16진수</translation>
    </message>
    <message>
        <source>Hex: send the bytes typed as hex pairs</source>
        <translation>16진수: 두 자리씩 쓴 바이트를 그대로 보내기</translation>
    </message>
    <message>
        <source>The message field takes bytes as hex pairs (48 65 6c 6c 6f 0a), sent exactly, with no line ending added</source>
        <translation>메시지 칸에 바이트를 16진수 두 자리씩(48 65 6c 6c 6f 0a) 쓰면 줄 끝 없이 그대로 보냅니다</translation>
    </message>
    <message>
        <source>Reset the connection</source>
        <translation>연결 리셋</translation>
    </message>
</context>
</TS>
