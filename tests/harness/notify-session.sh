#!/usr/bin/env bash
# Runs `hunch run` against a real notification server: a private D-Bus session (started by
# the caller with dbus-run-session), a virtual X display (Xvfb) and dunst. Optionally
# answers the first notification with an action, chosen through dunst's own context menu
# (its "dmenu" program is a script that picks the action named in $WORK/pick).
#
#   notify-session.sh WORK ACTION -- hunch run ...
# ACTION: none | done | snooze | pause. Prints NOTIFICATIONS=<count received by dunst>
# and, after an answer, DISPLAYED_AFTER_ANSWER=<notifications still on screen 3 s later>.
set -u
work=$1 action=$2
shift 3

cat > "$work/pick.sh" <<PICK
#!/bin/sh
cat > "$work/menu.txt"
grep -m1 "\[[0-9]*,$action\]" "$work/menu.txt"
PICK
chmod +x "$work/pick.sh"
cat > "$work/dunstrc" <<RC
[global]
    dmenu = $work/pick.sh
    timeout = 0
RC

Xvfb -displayfd 3 -screen 0 640x480x24 -nolisten tcp 3>"$work/display" >/dev/null 2>&1 &
xvfb=$!
for _ in $(seq 50); do [ -s "$work/display" ] && break; sleep 0.1; done
export DISPLAY=":$(cat "$work/display")"
dunst -config "$work/dunstrc" >"$work/dunst.log" 2>&1 &
dunst=$!
for _ in $(seq 50); do dunstctl is-paused >/dev/null 2>&1 && break; sleep 0.1; done

"$@" >"$work/hunch.out" 2>"$work/hunch.err" &
hunch=$!
if [ "$action" != none ]; then
    for _ in $(seq 300); do
        [ "$(dunstctl count displayed 2>/dev/null || echo 0)" -ge 1 ] && break
        sleep 0.1
    done
    dunstctl context
    # The answered notification should go from the screen (hunch closes it).
    for _ in $(seq 30); do
        [ "$(dunstctl count displayed 2>/dev/null || echo 1)" -eq 0 ] && break
        sleep 0.1
    done
    echo "DISPLAYED_AFTER_ANSWER=$(dunstctl count displayed 2>/dev/null || echo unknown)"
fi
wait $hunch
status=$?
shown=$(dunstctl count displayed 2>/dev/null || echo 0)
history=$(dunstctl count history 2>/dev/null || echo 0)
echo "NOTIFICATIONS=$((shown + history))"
echo "HUNCH_STATUS=$status"
kill $dunst $xvfb 2>/dev/null
exit 0
