// Save log's dialog. main.qml loads it the first time Save log is pressed, so that
// QtQuick.Dialogs and its libraries are loaded then, not at every start (0.7 MB of an
// idle window's memory). Its words come from main.qml, where they are translated.
import QtQuick
import QtQuick.Dialogs

FileDialog {
    fileMode: FileDialog.SaveFile
    defaultSuffix: "txt"
}
