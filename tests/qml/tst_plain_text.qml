// A peer's text that looks like markup, and control characters, reach the log's
// delegates as the characters received: plain text, nothing interpreted. The peer is a
// second ChatBackend connected over loopback.
import QtQuick
import TcpChat
import "Steps.js" as Steps

Item {
    id: root
    property var window: null
    property var log: null
    readonly property string markup: "<font color=red size=7>BIG RED</font> <b>x</b> <img src=x.png> <a href=\"http://example.invalid\">link</a> &amp;"
    readonly property string controls: "\u001b[31mred\u0007 nul\u0000!"

    ChatBackend {
        id: peer
        Component.onCompleted: start()
    }

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
        log = Steps.find(window, "log");
        Steps.start(runner, steps);
    }

    // The delegate showing the log line that starts with `prefix`, scrolled into view.
    function delegateOf(prefix) {
        for (var i = 0; i < log.count; ++i) {
            log.positionViewAtIndex(i, 0);
            var d = log.itemAtIndex(i);
            if (d && d.text.indexOf(prefix) === 0)
                return d;
        }
        return null;
    }

    property var steps: [
        { run: function () {
            Steps.find(window, "portField").text = "0";
            Steps.find(window, "listenButton").clicked();
        } },
        { until: function () { return window.title.indexOf("listening on port") > 0; }, what: "the window listening" },
        { run: function () {
            var port = window.title.replace(/.* /, "");
            peer.toggleConnect("127.0.0.1", port);
        } },
        { until: function () { return peer.state === ChatBackend.Connected; }, what: "the peer connected" },
        { until: function () { return Steps.find(window, "peerCount").text === "1 peer"; }, what: "\"1 peer\", in the singular" },
        { run: function () {
            Steps.check(peer.send(root.markup), "send markup");
            Steps.check(peer.send(root.controls), "send control characters");
        } },
        { until: function () { return delegateOf("[rcv] \\x1B") !== null; }, what: "both lines in the log" },
        { run: function () {
            var shown = delegateOf("[rcv] <font");
            Steps.check(shown !== null, "the markup line is in the log as typed");
            Steps.equal(shown.textFormat, TextEdit.PlainText, "text format");
            var expected = "[rcv] " + root.markup;
            Steps.equal(shown.getText(0, shown.length), expected, "characters shown");
            Steps.equal(shown.length, expected.length, "length (rich text would be shorter)");
            Steps.equal(shown.linkCount === undefined ? 0 : shown.linkCount, 0, "links");

            var ctl = delegateOf("[rcv] \\x1B");
            Steps.equal(ctl.getText(0, ctl.length), "[rcv] \\x1B[31mred\\x07 nul\\x00!", "control characters shown escaped");
            window.close();
        } }
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
