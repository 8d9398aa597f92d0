// A tiny sequential test runner for the QML tests: each step is either an action
// ({ run: fn }) or a wait ({ until: fn, what: "..." }) bounded by a deadline.
.pragma library

var DEADLINE_MS = 10000;

function start(timer, steps) {
    timer.steps = steps;
    timer.index = 0;
    timer.waitStarted = Date.now();
    timer.start();
}

function tick(timer) {
    try {
        while (timer.index < timer.steps.length) {
            var step = timer.steps[timer.index];
            if (step.run) {
                step.run();
            } else if (!step.until()) {
                if (Date.now() - timer.waitStarted > DEADLINE_MS) {
                    fail("timed out waiting for: " + step.what);
                }
                return;
            }
            timer.index += 1;
            timer.waitStarted = Date.now();
        }
        timer.stop();
        Qt.exit(0);
    } catch (e) {
        timer.stop();
        console.log("FAIL: " + e);
        Qt.exit(1);
    }
}

function fail(message) {
    throw new Error(message);
}

function check(condition, message) {
    if (!condition)
        fail(message);
}

function equal(actual, expected, message) {
    if (actual !== expected)
        fail(message + ": got " + JSON.stringify(actual) + ", want " + JSON.stringify(expected));
}

// The item called `name` anywhere below `root` (visual children first).
function find(root, name) {
    if (!root)
        return null;
    if (root.objectName === name)
        return root;
    var kids = [];
    if (root.contentItem)
        kids.push(root.contentItem);
    if (root.children)
        for (var i = 0; i < root.children.length; ++i)
            kids.push(root.children[i]);
    for (var j = 0; j < kids.length; ++j) {
        var found = find(kids[j], name);
        if (found)
            return found;
    }
    return null;
}
