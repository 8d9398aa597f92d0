// The log follows the newest line, unless the person has scrolled up to read: then new
// lines leave the view where it is, until they scroll back to the end.
import QtQuick
import TcpChat
import "Steps.js" as Steps

Item {
    id: root
    property var window: null
    property var log: null
    property var chat: null
    property real readingAt: 0
    property int ticks: 0

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
        chat = log.model;
        Steps.start(runner, steps);
    }

    // Send with nothing connected: one error line each, enough to scroll.
    function addLines(n) {
        for (var i = 0; i < n; ++i)
            chat.send("line " + i);
    }

    property var steps: [
        { until: function () { return window.visible; }, what: "the window shown" },
        { run: function () { addLines(80); } },
        { until: function () { return chat.rowCount() === 80 && log.atYEnd && !log.atYBeginning; },
          what: "80 lines, the view at the newest" },
        { run: function () { addLines(5); } },
        { until: function () { return chat.rowCount() === 85 && log.atYEnd; }, what: "following the newest" },
        // The view follows with Qt.callLater: let the event loop run it before flicking.
        { run: function () { root.ticks = 0; } },
        { until: function () { return ++root.ticks > 2; }, what: "two turns of the event loop" },
        // The person scrolls up (a flick towards the start).
        { run: function () { log.flick(0, 4000); } },
        { until: function () { return !log.moving && !log.atYEnd; }, what: "scrolled up and stopped" },
        { run: function () {
            root.readingAt = log.contentY;
            addLines(20);
        } },
        { until: function () { return chat.rowCount() === 105; }, what: "20 more lines" },
        // The view would follow with Qt.callLater: give it turns of the event loop to
        // do so before looking, not the same tick as the row count.
        { run: function () { root.ticks = 0; } },
        { until: function () { return ++root.ticks > 3; }, what: "three turns of the event loop" },
        { run: function () {
            Steps.check(!log.atYEnd, "new lines pulled the view away from what the person reads");
            Steps.equal(log.contentY, root.readingAt, "the view stays where the person is reading");
        } },
        // Back to the end (flicks, as far as a flick goes each): following again.
        { until: function () {
            if (!log.moving && !log.atYEnd)
                log.flick(0, -4000);
            return !log.moving && log.atYEnd;
        }, what: "scrolled back to the end" },
        { run: function () { addLines(10); } },
        { until: function () { return chat.rowCount() === 115 && log.atYEnd; }, what: "following again" },
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
