// The tcp-chat window: binds the controls to ChatBackend and calls its invokables.
// No logic lives here beyond that. Whoever loads it hands it its ChatBackend as `chat`
// (the program: bridge::load_window; a test: createObject(null, { chat: ... })).
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import TcpChat

ApplicationWindow {
    id: window
    objectName: "window"
    title: chat.listening ? qsTr("tcp-chat - listening on port %1").arg(chat.listenPort) : qsTr("tcp-chat")
    width: chat.initialWidth
    height: chat.initialHeight
    minimumWidth: 600
    minimumHeight: 320
    visible: true

    required property ChatBackend chat

    // Told to end (SIGTERM at logout): close as the close button does.
    Connections {
        target: window.chat
        function onQuitRequested() { window.close() }
    }

    Component.onCompleted: chat.start()
    onClosing: chat.saveSettings(hostField.text, portField.text, width, height)

    // As in the original dialog, Escape closes the window, and the process ends with it.
    Shortcut {
        sequences: [StandardKey.Cancel]
        onActivated: window.close()
    }

    // Carries the whole log to the clipboard for Copy log.
    TextEdit {
        id: clipboard
        visible: false
        textFormat: TextEdit.PlainText
    }

    // Save log's dialog (SaveDialog.qml), made the first time it is asked for.
    Loader {
        id: saveDialog
        objectName: "saveDialog"
        active: false
        function open() {
            if (status === Loader.Ready) {
                item.open();
                return;
            }
            active = true;
            setSource("SaveDialog.qml", {
                title: qsTr("Save the log"),
                nameFilters: [qsTr("Text files (*.txt)"), qsTr("All files (*)")]
            });
        }
        onLoaded: {
            item.accepted.connect(() => window.chat.saveLog(item.selectedFile));
            item.open();
        }
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 10
        spacing: 8

        // Who we are, so a person knows what to tell the other side.
        RowLayout {
            Layout.fillWidth: true
            spacing: 6
            Label {
                text: qsTr("This computer:")
                font.bold: true
            }
            TextField {
                id: identity
                objectName: "identity"
                Layout.fillWidth: true
                readOnly: true
                selectByMouse: true
                background: null
                leftPadding: 0
                text: chat.hostName + "   " + chat.addresses
                // Show the start (the host name, the LAN address) when it does not all fit.
                onTextChanged: cursorPosition = 0
                Component.onCompleted: cursorPosition = 0
                ToolTip.visible: hovered && contentWidth > width
                ToolTip.text: text
                Accessible.name: qsTr("This computer's host name and addresses")
            }
            Label { text: qsTr("Name") }
            TextField {
                id: nameField
                objectName: "nameField"
                Layout.preferredWidth: 110
                text: chat.name
                placeholderText: chat.hostName
                selectByMouse: true
                Accessible.name: qsTr("The name others see in Nearby")
                ToolTip.visible: hovered
                ToolTip.delay: 600
                ToolTip.text: qsTr("The name others see in their Nearby list; empty: this computer's name")
                // A name that cannot be used is said in the log; the field shows the one in use.
                KeyNavigation.tab: hostField
                onEditingFinished: if (!chat.setNameText(text)) text = chat.name
            }
            Label {
                objectName: "status"
                color: palette.placeholderText
                text: chat.state === ChatBackend.Connected ? qsTr("connected")
                    : chat.state === ChatBackend.Connecting ? qsTr("connecting...")
                    : chat.state === ChatBackend.Listening ? qsTr("listening on %1").arg(chat.listenPort)
                    : qsTr("idle")
                // Read as what it says; what it is, as its description.
                Accessible.name: text
                Accessible.description: qsTr("State")
            }
            Label {
                objectName: "peerCount"
                text: qsTr("%n peer(s)", "", chat.peerCount)
                Accessible.name: text
                Accessible.description: qsTr("Connected peers")
            }
        }

        RowLayout {
            Layout.fillWidth: true
            spacing: 6
            Label { text: qsTr("IP") }
            TextField {
                id: hostField
                objectName: "hostField"
                Layout.fillWidth: true
                Layout.minimumWidth: 120
                text: chat.initialHost
                placeholderText: qsTr("address or host name of the other side")
                selectByMouse: true
                Accessible.name: qsTr("Peer address")
                KeyNavigation.tab: portField
                onAccepted: chat.connectTo(hostField.text, portField.text)
            }
            Label { text: qsTr("Port") }
            TextField {
                id: portField
                objectName: "portField"
                Layout.preferredWidth: 80
                text: chat.initialPort
                selectByMouse: true
                inputMethodHints: Qt.ImhDigitsOnly
                Accessible.name: qsTr("Port")
                KeyNavigation.tab: listenButton
            }
            Button {
                id: listenButton
                objectName: "listenButton"
                text: chat.listening ? qsTr("Close") : qsTr("Listen")
                focus: true
                Accessible.name: chat.listening ? qsTr("Close the listener") : qsTr("Listen")
                KeyNavigation.tab: connectButton
                onClicked: chat.toggleListen(portField.text)
            }
            Button {
                id: connectButton
                objectName: "connectButton"
                text: chat.state === ChatBackend.Connected ? qsTr("Close")
                    : chat.state === ChatBackend.Connecting ? qsTr("Connecting...") : qsTr("Connect")
                Accessible.name: chat.state === ChatBackend.Connected ? qsTr("Close the connection")
                               : chat.state === ChatBackend.Connecting ? qsTr("Cancel connecting") : qsTr("Connect")
                // The course's path stays Listen, Connect, the message; Nearby on the way
                // when it shows, the teacher's controls after Save log.
                KeyNavigation.tab: nearbyFilter.visible ? nearbyFilter
                                 : nearbyList.visible ? nearbyList : messageField
                onClicked: chat.toggleConnect(hostField.text, portField.text)
            }
            // Beside Close: the same end with RST instead of FIN.
            Button {
                id: resetButton
                objectName: "resetButton"
                visible: chat.state === ChatBackend.Connected
                text: qsTr("Reset")
                Accessible.name: qsTr("Reset the connection")
                ToolTip.visible: hovered
                ToolTip.delay: 600
                ToolTip.text: qsTr("End the connection with RST instead of FIN: compare what the other side reports")
                onClicked: chat.resetPeer("out")
            }
        }

        // The tcp-chat listeners on this LAN (DNS-SD), by name: a click fills IP and
        // port, a double-click or Enter connects too. A room's worth (30) gets a filter.
        RowLayout {
            Layout.fillWidth: true
            visible: chat.nearbyFound > 0
            spacing: 6
            ColumnLayout {
                Layout.alignment: Qt.AlignTop
                spacing: 2
                Label {
                    topPadding: 4
                    text: qsTr("Nearby")
                }
                Label {
                    visible: nearbyFilter.visible
                    color: palette.placeholderText
                    text: qsTr("%1 of %2").arg(nearbyList.count).arg(chat.nearbyFound)
                    Accessible.name: qsTr("%1 of %2 chats shown").arg(nearbyList.count).arg(chat.nearbyFound)
                }
            }
            ColumnLayout {
                Layout.fillWidth: true
                spacing: 2
                TextField {
                    id: nearbyFilter
                    objectName: "nearbyFilter"
                    Layout.fillWidth: true
                    // More than fit in the list without scrolling.
                    visible: chat.nearbyFound > 5 || text.length > 0
                    placeholderText: qsTr("filter: part of a name or address")
                    selectByMouse: true
                    Accessible.name: qsTr("Filter the nearby chats")
                    KeyNavigation.tab: nearbyList
                    onTextChanged: chat.setNearbyFilter(text)
                    // Enter connects to the only one left.
                    onAccepted: if (nearbyList.count === 1) nearbyList.pick(nearbyList.itemAtIndex(0), true)
                }
            Frame {
                Layout.fillWidth: true
                padding: 1
                ListView {
                    id: nearbyList
                    objectName: "nearbyList"
                    anchors.left: parent.left
                    anchors.right: parent.right
                    // Three rows, five for a room; more scroll.
                    implicitHeight: Math.max(1, Math.min(count, chat.nearbyFound > 3 ? 5 : 3)) * 26
                    clip: true
                    model: chat.nearby
                    currentIndex: -1
                    boundsBehavior: Flickable.StopAtBounds
                    keyNavigationEnabled: true
                    Accessible.name: qsTr("Nearby chats")
                    Accessible.role: Accessible.List
                    ScrollBar.vertical: ScrollBar { policy: ScrollBar.AsNeeded }
                    KeyNavigation.tab: messageField
                    // Fills IP and port from a listener found; connects too when asked.
                    function pick(entry, connect) {
                        hostField.text = entry.address;
                        portField.text = entry.port;
                        if (connect)
                            chat.connectTo(hostField.text, portField.text);
                    }
                    Keys.onReturnPressed: if (currentItem) pick(currentItem, true)
                    Keys.onEnterPressed: if (currentItem) pick(currentItem, true)
                    onActiveFocusChanged: if (activeFocus && currentIndex < 0 && count > 0) currentIndex = 0
                    delegate: ItemDelegate {
                        required property int index
                        required property string name
                        required property string address
                        required property int port
                        required property string host
                        required property string addresses
                        width: ListView.view.width
                        height: 26
                        topPadding: 2
                        bottomPadding: 2
                        highlighted: ListView.isCurrentItem
                        text: qsTr("%1   %2 port %3").arg(name).arg(address).arg(port)
                        ToolTip.visible: hovered
                        ToolTip.delay: 600
                        ToolTip.text: qsTr("%1 (%2): click to fill IP and port, double-click to connect")
                                          .arg(host).arg(addresses)
                        Accessible.name: text
                        onClicked: {
                            ListView.view.currentIndex = index;
                            ListView.view.pick(this, false);
                        }
                        onDoubleClicked: ListView.view.pick(this, true)
                    }
                }
            }
            }
        }

        // The teacher's controls: who is connected (numbered as /peers numbers them),
        // each with Disconnect and Block; the Lock box; the addresses blocked.
        RowLayout {
            Layout.fillWidth: true
            visible: chat.listening || chat.peerCount > 0 || chat.blocked.length > 0
            spacing: 6
            Button {
                id: peersToggle
                objectName: "peersToggle"
                flat: true
                checkable: true
                text: (checked ? "\u25be " : "\u25b8 ") + qsTr("Peers (%1)").arg(peersList.count)
                Accessible.name: checked ? qsTr("Hide the Peers list") : qsTr("Show the Peers list")
                KeyNavigation.tab: lockBox
                // What TCP says of each connection is asked only while the list shows.
                onCheckedChanged: chat.setPeersShown(checked)
            }
            CheckBox {
                id: lockBox
                objectName: "lockBox"
                text: qsTr("Lock")
                checked: chat.locked
                Accessible.name: qsTr("Lock: take no new peers")
                ToolTip.visible: hovered
                ToolTip.delay: 600
                ToolTip.text: qsTr("Take no new peers; those connected stay")
                KeyNavigation.tab: nameField
                onToggled: chat.setLockedOn(checked)
            }
            Repeater {
                model: chat.blocked
                delegate: RowLayout {
                    required property string modelData
                    spacing: 2
                    Label {
                        text: qsTr("blocked: %1").arg(modelData)
                        color: "#b00020"
                    }
                    Button {
                        text: qsTr("Unblock")
                        flat: true
                        Accessible.name: qsTr("Unblock %1").arg(modelData)
                        onClicked: chat.unblockAddress(modelData)
                    }
                }
            }
            Item { Layout.fillWidth: true }
        }

        Frame {
            Layout.fillWidth: true
            visible: peersToggle.checked && peersToggle.visible
            padding: 1
            ListView {
                id: peersList
                objectName: "peersList"
                anchors.left: parent.left
                anchors.right: parent.right
                // Three rows at most; more scroll.
                implicitHeight: Math.max(1, Math.min(count, 3)) * 44
                clip: true
                model: chat.peers
                // As for the log below: no current row, and no highlight gliding after one.
                currentIndex: -1
                highlightMoveDuration: 0
                boundsBehavior: Flickable.StopAtBounds
                Accessible.name: qsTr("Peers")
                Accessible.role: Accessible.List
                ScrollBar.vertical: ScrollBar { policy: ScrollBar.AsNeeded }
                delegate: Item {
                    id: peerRow
                    required property string number
                    required property string remote
                    required property string local
                    required property string address
                    required property bool outgoing
                    required property string tcp
                    width: ListView.view.width
                    height: 44
                    Accessible.role: Accessible.ListItem
                    Accessible.name: tcp.length > 0 ? peerText.text + ": " + tcp : peerText.text
                    RowLayout {
                        anchors.fill: parent
                        anchors.leftMargin: 6
                        spacing: 6
                        ColumnLayout {
                            Layout.fillWidth: true
                            spacing: 0
                            Label {
                                id: peerText
                                Layout.fillWidth: true
                                elide: Text.ElideRight
                                font.family: "monospace"
                                text: peerRow.outgoing
                                    ? qsTr("%1  to %2 (ours: %3, a port the system chose)").arg(peerRow.number).arg(peerRow.remote).arg(peerRow.local)
                                    : qsTr("%1  from %2 (ours: %3)").arg(peerRow.number).arg(peerRow.remote).arg(peerRow.local)
                            }
                            // As TCP has it: state, rtt, retransmissions, bytes, since.
                            Label {
                                Layout.fillWidth: true
                                elide: Text.ElideRight
                                font.pixelSize: peerText.font.pixelSize - 1
                                color: palette.placeholderText
                                text: peerRow.tcp
                            }
                        }
                        Button {
                            text: qsTr("Disconnect")
                            Accessible.name: qsTr("Disconnect %1").arg(peerRow.remote)
                            onClicked: chat.disconnectPeer(peerRow.number)
                        }
                        Button {
                            text: qsTr("Reset")
                            Accessible.name: qsTr("Reset %1").arg(peerRow.remote)
                            ToolTip.visible: hovered
                            ToolTip.delay: 600
                            ToolTip.text: qsTr("End the connection with RST instead of FIN: compare what the other side reports")
                            onClicked: chat.resetPeer(peerRow.number)
                        }
                        Button {
                            visible: !peerRow.outgoing
                            text: qsTr("Block")
                            Accessible.name: qsTr("Block %1").arg(peerRow.address)
                            ToolTip.visible: hovered
                            ToolTip.delay: 600
                            ToolTip.text: qsTr("Disconnect every peer from %1 and turn it away until Unblock").arg(peerRow.address)
                            onClicked: chat.blockAddress(peerRow.address)
                        }
                    }
                }
            }
        }

        Frame {
            Layout.fillWidth: true
            Layout.fillHeight: true
            padding: 1

            ListView {
                id: log
                objectName: "log"
                anchors.fill: parent
                clip: true
                model: chat
                boundsBehavior: Flickable.StopAtBounds
                // A flood replaces every visible row many times a second: reusing the rows'
                // items instead of making new ones keeps each frame short.
                reuseItems: true
                // No current row, and the highlight at once where one is: a ListView's
                // default highlight is an invisible item that glides after the current
                // row (row 0 unless told) at 400 px a second, and a full log drops its
                // oldest rows, so it glided for minutes after a flood, drawing every
                // frame (60 a second) while idle. The arrow keys still move a current
                // row, and the view follows it.
                currentIndex: -1
                highlightMoveDuration: 0
                Accessible.name: qsTr("Chat log")
                Accessible.role: Accessible.List
                ScrollBar.vertical: ScrollBar { policy: ScrollBar.AsNeeded }

                // Follow the newest line unless the person has scrolled up to read.
                property bool following: true
                onMovementEnded: following = atYEnd
                onCountChanged: if (following) Qt.callLater(log.positionViewAtEnd)

                delegate: TextEdit {
                    required property string display
                    required property string kind
                    width: ListView.view.width
                    leftPadding: 6
                    rightPadding: 6
                    topPadding: 1
                    bottomPadding: 1
                    // After its time when Times is on: the model says it as shown.
                    text: display
                    // Whatever a peer sends is shown as the characters it sent, never as markup.
                    textFormat: TextEdit.PlainText
                    readOnly: true
                    selectByMouse: true
                    wrapMode: TextEdit.Wrap
                    font.family: "monospace"
                    color: kind === "error" ? "#b00020"
                         : kind === "rcv" ? "#0b5394"
                         : kind === "send" ? "#38761d"
                         : kind === "wire" ? "#8a5a00" : palette.windowText
                    Accessible.name: text
                    ListView.onReused: deselect()
                }
            }
        }

        RowLayout {
            Layout.fillWidth: true
            spacing: 6
            TextField {
                id: messageField
                objectName: "messageField"
                Layout.fillWidth: true
                placeholderText: hexBox.checked ? qsTr("bytes as hex pairs: 48 65 6c 6c 6f 0a") : qsTr("message")
                selectByMouse: true
                font.family: hexBox.checked ? "monospace" : Qt.application.font.family
                Accessible.name: qsTr("Message")
                KeyNavigation.tab: hexBox
                // What was typed stays when it could not be sent (the log says why).
                function sendTyped() {
                    if (hexBox.checked ? chat.sendHex(text) : chat.send(text))
                        clear();
                }
                onAccepted: sendTyped()
            }
            CheckBox {
                id: hexBox
                objectName: "hexBox"
                text: qsTr("Hex")
                Accessible.name: qsTr("Hex: send the bytes typed as hex pairs")
                ToolTip.visible: hovered
                ToolTip.delay: 600
                ToolTip.text: qsTr("The message field takes bytes as hex pairs (48 65 6c 6c 6f 0a), sent exactly, with no line ending added")
                KeyNavigation.tab: sendButton
            }
            Button {
                id: sendButton
                objectName: "sendButton"
                text: qsTr("Send")
                Accessible.name: qsTr("Send")
                KeyNavigation.tab: autoReplyBox
                onClicked: messageField.sendTyped()
            }
        }

        RowLayout {
            Layout.fillWidth: true
            spacing: 6
            CheckBox {
                id: autoReplyBox
                objectName: "autoReplyBox"
                text: qsTr("Auto-reply")
                checked: chat.autoReplyOn
                Accessible.name: qsTr("Answer each received line automatically")
                KeyNavigation.tab: autoReplyField
                onToggled: chat.setAutoReplyText(autoReplyField.text, checked)
            }
            TextField {
                id: autoReplyField
                objectName: "autoReplyField"
                // Narrower in a small window, so that the boxes beside it still fit.
                Layout.fillWidth: true
                Layout.preferredWidth: 120
                Layout.maximumWidth: 120
                Layout.minimumWidth: 50
                text: chat.autoReply
                enabled: autoReplyBox.checked
                selectByMouse: true
                Accessible.name: qsTr("Auto-reply text")
                KeyNavigation.tab: timesBox
                onEditingFinished: chat.setAutoReplyText(text, autoReplyBox.checked)
            }
            CheckBox {
                id: timesBox
                objectName: "timesBox"
                text: qsTr("Times")
                checked: chat.times
                Accessible.name: qsTr("Show the time of each line")
                KeyNavigation.tab: relayBox
                onToggled: chat.times = checked
            }
            CheckBox {
                id: relayBox
                objectName: "relayBox"
                text: qsTr("Relay")
                checked: chat.relay
                Accessible.name: qsTr("Pass each peer's lines on to the other peers")
                KeyNavigation.tab: wireBox
                onToggled: chat.setRelayOn(checked)
            }
            CheckBox {
                id: wireBox
                objectName: "wireBox"
                text: qsTr("Wire")
                checked: chat.wire
                Accessible.name: qsTr("Show each read and write as bytes")
                ToolTip.visible: hovered
                ToolTip.delay: 600
                ToolTip.text: qsTr("Show each read from a peer and each write to it as the bytes that went over TCP, before the lines they carried")
                KeyNavigation.tab: copyButton
                onToggled: chat.setWireOn(checked)
            }
            Item { Layout.fillWidth: true }
            Button {
                id: copyButton
                objectName: "copyButton"
                text: qsTr("Copy log")
                Accessible.name: qsTr("Copy the whole log")
                KeyNavigation.tab: saveButton
                onClicked: {
                    clipboard.text = chat.logText();
                    clipboard.selectAll();
                    clipboard.copy();
                }
            }
            Button {
                id: saveButton
                objectName: "saveButton"
                text: qsTr("Save log...")
                Accessible.name: qsTr("Save the log to a file")
                KeyNavigation.tab: peersToggle.visible ? peersToggle : nameField
                onClicked: saveDialog.open()
            }
        }
    }
}
