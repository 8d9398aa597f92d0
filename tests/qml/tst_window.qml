// The window loads, holds every control of the original in its role and words, each
// with an accessible name, and has the focus on Listen.
import QtQuick
import TcpChat
import "Steps.js" as Steps

Item {
    id: root
    property var window: null

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
        Steps.start(runner, steps);
    }

    function item(name) {
        var found = Steps.find(window, name);
        Steps.check(found !== null, "no control called " + name);
        return found;
    }

    property var steps: [
        { until: function () { return window.visible && window.active !== undefined; }, what: "the window shown" },
        { run: function () {
            var expected = {
                hostField: "127.0.0.1", portField: "12345", listenButton: "Listen",
                connectButton: "Connect", sendButton: "Send", messageField: ""
            };
            for (var name in expected)
                Steps.equal(item(name).text, expected[name], name + " text");
            var named = ["hostField", "portField", "listenButton", "connectButton", "messageField",
                         "sendButton", "log", "identity", "peerCount", "autoReplyBox", "autoReplyField",
                         "timesBox", "relayBox", "wireBox", "hexBox", "status", "copyButton", "saveButton"];
            for (var i = 0; i < named.length; ++i)
                Steps.check(item(named[i]).Accessible.name.length > 0, named[i] + " has no accessible name");
            Steps.check(item("identity").text.length > 3, "host name and addresses are shown");
            Steps.equal(item("peerCount").text, "0 peers", "peer count");
            Steps.equal(window.title, "tcp-chat", "title");
        } },
        { until: function () { return item("listenButton").activeFocus; }, what: "Listen to have the focus" },
        { run: function () {
            // The window resizes without losing any control off its edge.
            window.width = window.minimumWidth;
            window.height = window.minimumHeight;
        } },
        { until: function () {
            // Layout happens on the next frame: wait until every control fits inside.
            var names = ["sendButton", "connectButton", "autoReplyField", "timesBox", "relayBox", "wireBox", "hexBox", "peerCount", "saveButton"];
            for (var i = 0; i < names.length; ++i) {
                var c = item(names[i]);
                var p = c.mapToItem(window.contentItem, c.width, c.height);
                if (c.width <= 0 || p.x > window.width + 0.5 || p.y > window.height + 0.5)
                    return false;
            }
            return true;
        }, what: "every control inside the window at its minimum size" },
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
