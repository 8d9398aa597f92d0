// Under LANG=ko_KR.UTF-8 (tests/window.rs runs tst_ko_* files so): the window reads
// Korean, the course's button words stay English, the sentences made in Rust (errors,
// the log) are Korean, and no word is cut off at the minimum size or on the Pi's
// 800x480 touch display.
import QtQuick
import TcpChat
import "Steps.js" as Steps

Item {
    id: root
    property var window: null
    property var chat: null

    // The window's chat, as the program hands it over.
    ChatBackend { id: backend }

    Component.onCompleted: {
        var component = Qt.createComponent("qrc:/qt/qml/TcpChat/qml/main.qml");
        if (component.status !== Component.Ready) {
            console.log("FAIL: " + component.errorString());
            Qt.exit(1);
            return;
        }
        window = component.createObject(null, { chat: backend });
        chat = Steps.find(window, "log").model;
        Steps.start(runner, steps);
    }

    function item(name) {
        var found = Steps.find(window, name);
        Steps.check(found !== null, "no control called " + name);
        return found;
    }
    function lastLine() { return chat.logText().split("\n").pop(); }

    // Every control with words fits them whole inside the window.
    function wordsFit() {
        var names = ["listenButton", "connectButton", "sendButton", "autoReplyBox", "timesBox",
                     "relayBox", "wireBox", "hexBox", "copyButton", "saveButton", "status", "peerCount"];
        for (var i = 0; i < names.length; ++i) {
            var c = item(names[i]);
            var p = c.mapToItem(window.contentItem, c.width, c.height);
            if (c.width + 0.5 < c.implicitWidth || p.x > window.width + 0.5 || p.y > window.height + 0.5)
                return false;
        }
        return true;
    }

    property var steps: [
        { until: function () { return window.visible; }, what: "the window shown" },
        { run: function () {
            var words = {
                listenButton: "Listen", connectButton: "Connect", sendButton: "Send",
                autoReplyBox: "자동 응답", timesBox: "시각", relayBox: "중계", wireBox: "와이어",
                hexBox: "16진수",
                copyButton: "기록 복사", saveButton: "기록 저장...",
                status: "대기", peerCount: "0명 접속"
            };
            for (var name in words)
                Steps.equal(item(name).text, words[name], name);
            Steps.equal(item("hostField").Accessible.name, "상대 주소", "the address field's name");
            Steps.equal(item("log").Accessible.name, "채팅 기록", "the log's name");
            Steps.equal(item("messageField").placeholderText, "메시지", "the message field's hint");

            item("portField").text = "99999";
            item("listenButton").clicked();
        } },
        { until: function () { return lastLine().indexOf("Error : ") === 0; }, what: "an error line" },
        { run: function () {
            Steps.equal(lastLine(), "Error : 99999은(는) 포트가 아닙니다: 포트는 1부터 65535까지의 숫자입니다",
                        "a port error made in Rust");
            item("messageField").text = "안녕하세요";
            item("sendButton").clicked();
        } },
        { until: function () { return lastLine().indexOf("Error : 접속") === 0; }, what: "not connected" },
        { run: function () {
            Steps.equal(lastLine(), "Error : 접속되어 있지 않습니다: Connect를 누르거나 상대가 내 서버에 "
                        + "접속할 때까지 기다린 다음 보내세요", "the window names its button");
            item("portField").text = "0";
            item("listenButton").clicked();
        } },
        { until: function () { return lastLine().indexOf("Start Listening") === 0; }, what: "listening" },
        { run: function () {
            var port = chat.listenPort;
            Steps.check(lastLine().indexOf("Start Listening (포트 " + port + "번, ") === 0,
                        "the course's words, then Korean: " + lastLine());
            Steps.equal(window.title, "tcp-chat - 포트 " + port + "에서 서버 대기 중", "title");
            Steps.equal(item("status").text, "포트 " + port + " 대기 중", "state");
            window.width = window.minimumWidth;
            window.height = window.minimumHeight;
        } },
        { until: wordsFit, what: "every word whole at the minimum size" },
        { run: function () { window.width = 800; window.height = 480; } },
        { until: wordsFit, what: "every word whole at 800x480" },
        { run: function () { window.close(); } }
    ]

    Timer {
        id: runner
        interval: 10
        repeat: true
        property var steps: []
        property int index: 0
        property double waitStarted: 0
        onTriggered: Steps.tick(runner)
    }
}
