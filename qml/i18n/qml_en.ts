<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<!-- English needs a translation only where a number chooses the words (Qt's plural
     forms): every other string of main.qml is shown as written. -->
<TS version="2.1" language="en">
<context>
    <name>main</name>
    <message numerus="yes">
        <source>%n peer(s)</source>
        <translation>
            <numerusform>%n peer</numerusform>
            <numerusform>%n peers</numerusform>
        </translation>
    </message>
</context>
</TS>
