#!/bin/bash
# check-wine-prefix.sh - checks how wine-prefix.sh makes prefixes from a prepared one
# (KCOM_WINE_PREFIX_CACHE), against stand-ins for wine and wineserver (no Wine needed):
#   - a copy shares the prepared prefix's modules (.dll, .exe, .sys, ...) as hard links: a test run
#     makes several prefixes of about 700 MB each, and a full disk failed it;
#   - every other file (the registry, .ini files, stamps) is a copy of its own, so that what Wine
#     writes in one prefix reaches neither the prepared prefix nor another copy;
#   - symbolic links stay links, and the copy is ready for the same Wine;
#   - a user's WINEARCH=win32 (which stops a 64-bit wineboot) does not reach the prefix's Wine;
#   - when making a prefix fails, Wine's own words are shown;
#   - an interrupt (SIGINT to the process group, as Ctrl-C sends it) while a prefix is being made
#     stops the making at once, and nothing of it keeps running.
# Exits 0 when all hold, 1 otherwise.
set -u

here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT

# The stand-ins: --version for the stamp; wineboot makes a small prefix with the kinds of files a
# real one has; everything else succeeds without doing anything.
mkdir -p "$work/bin"
cat >"$work/bin/wine" <<'EOF'
#!/bin/bash
[ "${1:-}" = --version ] && { echo wine-stand-in; exit 0; }
if [ "${1:-}" = wineboot ]; then
    if [ -n "${WINEARCH:-}" ]; then
        echo "wine: WINEARCH is set to '$WINEARCH' but this is not supported in wow64 mode." >&2
        exit 1
    fi
    [ -z "${FAKE_BOOT_FAILS:-}" ] || { echo "wine: $FAKE_BOOT_FAILS" >&2; exit 1; }
    [ -z "${FAKE_BOOT_SLEEP:-}" ] || { trap '' INT; sleep "$FAKE_BOOT_SLEEP"; }
    sys=$WINEPREFIX/drive_c/windows/system32
    mkdir -p "$sys/drivers" "$WINEPREFIX/dosdevices"
    head -c 65536 /dev/urandom >"$sys/kernel32.dll"
    head -c 4096 /dev/urandom >"$sys/notepad.exe"
    head -c 4096 /dev/urandom >"$sys/drivers/null.sys"
    echo "[fonts]" >"$WINEPREFIX/drive_c/windows/win.ini"
    echo "WINE REGISTRY Version 2" >"$WINEPREFIX/system.reg"
    echo "WINE REGISTRY Version 2" >"$WINEPREFIX/user.reg"
    ln -s ../drive_c "$WINEPREFIX/dosdevices/c:"
fi
exit 0
EOF
printf '#!/bin/sh\nexit 0\n' >"$work/bin/wineserver"
chmod +x "$work/bin/wine" "$work/bin/wineserver"

failed=0
fail() {
    echo "check-wine-prefix: FAILED: $*" >&2
    failed=1
}

export PATH=$work/bin:$PATH KCOM_WINE_PREFIX_CACHE=$work/cache WINEARCH=win32
. "$here/wine-prefix.sh"
kcom_wine_prefix_ensure "$work/a" 2>/dev/null || fail "the first copy was not made"
kcom_wine_prefix_ensure "$work/b" 2>/dev/null || fail "the second copy was not made"
cache=$work/cache/prefix
for copy in "$work/a/prefix" "$work/b/prefix"; do
    kcom_wine_prefix_ready "$(dirname "$copy")" || fail "$copy is not ready"
    for f in drive_c/windows/system32/kernel32.dll drive_c/windows/system32/notepad.exe \
             drive_c/windows/system32/drivers/null.sys; do
        [ "$(stat -c %i "$copy/$f" 2>/dev/null)" = "$(stat -c %i "$cache/$f")" ] ||
            fail "$copy/$f is a copy of its own, not a link to the prepared prefix's"
    done
    for f in system.reg user.reg drive_c/windows/win.ini .kcom-ready; do
        cmp -s "$copy/$f" "$cache/$f" || fail "$copy/$f differs from the prepared prefix's"
        [ "$(stat -c %i "$copy/$f" 2>/dev/null)" != "$(stat -c %i "$cache/$f")" ] ||
            fail "$copy/$f is shared with the prepared prefix: a write to it would reach every prefix"
    done
    [ "$(readlink "$copy/dosdevices/c:")" = ../drive_c ] || fail "$copy/dosdevices/c: is not a link to ../drive_c"
done
# What Wine writes in place in one copy stays there.
echo "[Software\\\\kcom]" >>"$work/a/prefix/system.reg"
echo "[kcom]" >>"$work/a/prefix/drive_c/windows/win.ini"
cmp -s "$cache/system.reg" "$work/b/prefix/system.reg" || fail "a write to a copy's registry reached another prefix"
cmp -s "$cache/drive_c/windows/win.ini" "$work/b/prefix/drive_c/windows/win.ini" ||
    fail "a write to a copy's win.ini reached another prefix"

unset WINEARCH

# A failed wineboot: its words are shown, and the prefix is not taken as ready.
out=$(KCOM_WINE_PREFIX_CACHE='' FAKE_BOOT_FAILS="kcom-check: no way to boot" kcom_wine_prefix_ensure "$work/c" 2>&1) &&
    fail "a failed wineboot made a prefix"
grep -qF "kcom-check: no way to boot" <<<"$out" || fail "a failed wineboot's own message was not shown: $out"
kcom_wine_prefix_ready "$work/c" && fail "a failed wineboot left a ready prefix"

# An interrupt while wineboot runs: the command runs in a process group of its own, which is sent
# SIGINT one second in; it must end within 5 s (wineboot here would take 30), and no stand-in
# may be left running. Its SIGINT is set back to the default (env), since a command started in the
# background gets it ignored; and the stand-in ignores SIGINT, as Wine programs do not end at one.
setsid env --default-signal=INT bash -c 'echo $$ >"$1/pgid"; . "$2/wine-prefix.sh"; KCOM_WINE_PREFIX_CACHE="" FAKE_BOOT_SLEEP=30 kcom_wine_prefix_ensure "$1/d"' \
    interrupted "$work" "$here" 2>/dev/null &
runner=$!
sleep 1
kill -INT -- "-$(cat "$work/pgid")"
waited=0
while kill -0 $runner 2>/dev/null && [ $waited -lt 50 ]; do
    sleep 0.1
    waited=$((waited + 1))
done
if kill -0 $runner 2>/dev/null; then
    fail "an interrupt did not stop the making of a prefix within 5 s"
    kill -KILL -- "-$(cat "$work/pgid")" 2>/dev/null
fi
pgrep -f "sleep 30" >/dev/null && pgrep -g "$(cat "$work/pgid")" >/dev/null &&
    fail "the interrupted wineboot kept running"
pkill -KILL -g "$(cat "$work/pgid")" 2>/dev/null
kcom_wine_prefix_ready "$work/d" && fail "an interrupted wineboot left a ready prefix"

[ $failed -eq 0 ] && echo "check-wine-prefix: copies share only modules; WINEARCH, failures and interrupts are handled"
exit $failed
