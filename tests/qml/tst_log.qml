// What a person sees in the log when things go wrong, and the log's Copy and Save.
// A bad port or Send with no connection gives one error line and keeps what was typed.
import QtQuick
import TcpChat
import "Steps.js" as Steps

Item {
    id: root
    property var window: null
    property var chat: null
    readonly property string savePath: "/tmp/tcp-chat-qml-save-" + Date.now() + ".txt"

    TextEdit { id: pasted; textFormat: TextEdit.PlainText }

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

    function item(name) { return Steps.find(window, name); }
    function lastLine() { return chat.logText().split("\n").pop(); }

    property var steps: [
        { run: function () {
            item("portField").text = "abc";
            item("listenButton").clicked();
        } },
        { until: function () { return lastLine().indexOf("Error : ") === 0; }, what: "an error line" },
        { run: function () {
            Steps.equal(lastLine(), "Error : \"abc\" is not a port: type a number from 1 to 65535", "error");
            Steps.equal(item("portField").text, "abc", "the port field keeps what was typed");
            Steps.equal(item("listenButton").text, "Listen", "still not listening");
            item("messageField").text = "안녕하세요";
            item("sendButton").clicked();
        } },
        { until: function () { return lastLine().indexOf("Error : not connected") === 0; }, what: "not connected" },
        { run: function () {
            Steps.equal(item("messageField").text, "안녕하세요", "the message stays in its field");
            Steps.equal(chat.rowCount(), 2, "one line per error");
            item("copyButton").clicked();
            pasted.paste();
            Steps.equal(pasted.text, chat.logText(), "Copy log puts the whole log on the clipboard");
            chat.saveLog("file://" + root.savePath);
        } },
        { until: function () { return lastLine().indexOf("Saved 2 log lines to ") === 0; }, what: "the save" },
        { run: function () {
            var xhr = new XMLHttpRequest();
            xhr.open("GET", "file://" + root.savePath, false);
            xhr.send();
            Steps.equal(xhr.responseText, pasted.text + "\n", "the saved file holds the log");
            // Times on: each line after its time, on the screen and in Copy log.
            Steps.equal(item("timesBox").checked, false, "Times starts off");
            item("timesBox").toggle();
            item("timesBox").toggled();
        } },
        { until: function () { return chat.times; }, what: "Times on" },
        { run: function () {
            var time = /^[0-2][0-9]:[0-5][0-9]:[0-5][0-9] /;
            var shown = item("log").itemAtIndex(0).text;
            Steps.check(time.test(shown), "the first line shows its time: " + shown);
            Steps.equal(shown.substring(9), "Error : \"abc\" is not a port: type a number from 1 to 65535", "then the line");
            var lines = chat.logText().split("\n");
            for (var i = 0; i < lines.length; ++i)
                Steps.check(time.test(lines[i]), "Copy log has the times too: " + lines[i]);
            item("timesBox").toggle();
            item("timesBox").toggled();
        } },
        { until: function () { return !chat.times; }, what: "Times off" },
        { run: function () {
            Steps.equal(item("log").itemAtIndex(0).text, "Error : \"abc\" is not a port: type a number from 1 to 65535", "no time with Times off");
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
