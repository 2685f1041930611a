# wine-prefix.sh - bash functions shared by the Wine runners; source it, do not run it.
#
#   kcom_wine_env DIR             exports a headless, private Wine environment rooted at DIR:
#                                 WINEPREFIX=DIR/prefix, TMPDIR=DIR/tmp (Debian's wine keeps a
#                                 socket directory per prefix there), no DISPLAY
#   kcom_wine_prefix_ensure DIR   makes DIR/prefix a ready prefix: an existing one is kept when its
#                                 stamp says it was completed by this Wine version; a missing or
#                                 broken one is recreated. Safe to call from concurrent processes.
#
# Making a prefix takes 10-25 s; copying a prepared one takes a few. When KCOM_WINE_PREFIX_CACHE
# names a directory, a pristine prefix is prepared there once and every other prefix is copied
# from it (the Makefile shares one between its Windows configurations), its modules as hard links
# (kcom_wine_prefix_copy): a copy then takes 2 to 6 MB of disk instead of 700.

kcom_wine_env() {
    mkdir -p "$1/tmp"
    WINEPREFIX=$1/prefix
    TMPDIR=$1/tmp
    WINEDEBUG=${KCOM_WINEDEBUG:--all}
    # No Mono or Gecko installers, no desktop integration: nothing that needs a display.
    WINEDLLOVERRIDES="mscoree,mshtml,winemenubuilder.exe="
    export WINEPREFIX TMPDIR WINEDEBUG WINEDLLOVERRIDES
    unset DISPLAY WAYLAND_DISPLAY
    # A user's Wine settings are not the prefix's: WINEARCH=win32 (for a 32-bit prefix) stops a
    # 64-bit wineboot, and a WINESERVER or WINELOADER of another Wine mixes two versions.
    unset WINEARCH WINESERVER WINELOADER WINEDLLPATH
}

kcom_wine_version() {
    wine --version 2>/dev/null || echo unknown
}

# Runs a command with a time limit; returns 124 when the limit was hit. timeout runs the command in
# a process group of its own, so that the limit ends the command and every process it started; an
# interrupt (Ctrl-C) does not reach that group, and Wine programs do not end at a SIGINT anyway.
# So the command runs in the background while this shell waits, and an INT or TERM this shell
# gets ends the group, then goes on to the caller's trap (or ends this shell) as if it had come
# while the caller ran. No Wine process inherits descriptor 8, a runner's session lock.
kcom_wine_timeout() {
    local seconds=$1 traps status
    shift
    traps=$(trap -p INT TERM)
    kcom_wine_timeout_signal=''
    timeout --kill-after=5 "$seconds" "$@" 8>&- <&0 &
    kcom_wine_timeout_pid=$!
    trap 'kcom_wine_timeout_stop INT' INT
    trap 'kcom_wine_timeout_stop TERM' TERM
    wait "$kcom_wine_timeout_pid"
    status=$?
    trap - INT TERM
    eval "$traps"
    [ -z "$kcom_wine_timeout_signal" ] || kill -s "$kcom_wine_timeout_signal" "$BASHPID"
    return $status
}

kcom_wine_timeout_stop() {
    kcom_wine_timeout_signal=$1
    kill -TERM -- "-$kcom_wine_timeout_pid" 2>/dev/null
    wait "$kcom_wine_timeout_pid" 2>/dev/null
}

# The steps that make a prefix in $WINEPREFIX, each stopping at the first failure.
kcom_wine_prefix_steps() {
    kcom_wine_timeout 180 wine wineboot --init || return 1
    # A crashing program must not start winedbg: it prints ~100 lines and costs 1.5 s per
    # crash. A Debugger that does not exist makes a crash end the process at once.
    kcom_wine_timeout 60 wine reg add 'HKLM\Software\Microsoft\Windows NT\CurrentVersion\AeDebug' \
        /v Debugger /t REG_SZ /d kcom-no-debugger.exe /f || return 1
    kcom_wine_timeout 60 wine reg add 'HKLM\Software\Microsoft\Windows NT\CurrentVersion\AeDebug' \
        /v Auto /t REG_SZ /d 1 /f || return 1
    # Desktop integration writes outside the prefix and needs a display: not in test prefixes.
    kcom_wine_timeout 60 wine reg delete 'HKLM\Software\Microsoft\Windows\CurrentVersion\RunServices' \
        /v winemenubuilder /f
    # The registry reaches the disk when the server exits.
    kcom_wine_timeout 60 wineserver -k
    kcom_wine_timeout 60 wineserver -w
    [ -f "$WINEPREFIX/system.reg" ]
}

# Creates a prefix from nothing in $1/prefix (callers hold the lock). Wine's output goes to
# $1/prefix.log, whose end is shown when a step fails.
kcom_wine_prefix_create() {
    (
        kcom_wine_env "$1"
        rm -rf "$WINEPREFIX"
        kcom_wine_prefix_steps >"$1/prefix.log" 2>&1 && exit 0
        kcom_wine_timeout 30 wineserver -k >/dev/null 2>&1 # what a failed step left running
        echo "wine: making the prefix failed; the end of Wine's output ($1/prefix.log):" >&2
        tail -n 15 "$1/prefix.log" | sed 's/^/    /' >&2
        exit 1
    )
}

# Copies the prefix $1 to $2, which must not exist. Its modules (nearly all of its 700 MB) become
# hard links to $1's: Wine only reads them, and $1's stamp says the same Wine made both. Everything
# else (the registry, .ini files, stamps) gets a copy of its own, so that what Wine writes in one
# prefix stays there. Across file systems, where links cannot be made, everything is copied.
kcom_wine_prefix_copy() {
    if ! cp -al "$1" "$2" 2>/dev/null; then
        rm -rf "$2"
        cp -a "$1" "$2"
        return
    fi
    local f
    find "$2" -type f ! \( -iname '*.dll' -o -iname '*.exe' -o -iname '*.sys' -o -iname '*.drv' \
        -o -iname '*.nls' -o -iname '*.ocx' -o -iname '*.cpl' -o -iname '*.acm' -o -iname '*.ax' \
        -o -iname '*.tlb' -o -iname '*.ds' -o -iname '*.com' -o -iname '*.msstyles' \) -print0 |
        while IFS= read -r -d '' f; do
            cp -p "$f" "$f.kcom-own" && mv -f "$f.kcom-own" "$f" || exit 1
        done
}

kcom_wine_prefix_ready() {
    [ -f "$1/prefix/.kcom-ready" ] && [ -f "$1/prefix/system.reg" ] &&
        [ "$(cat "$1/prefix/.kcom-ready")" = "$(kcom_wine_version)" ]
}

kcom_wine_prefix_ensure() {
    local dir=$1 cache=${KCOM_WINE_PREFIX_CACHE:-}
    mkdir -p "$dir"
    kcom_wine_prefix_ready "$dir" && return 0
    (
        flock 9
        kcom_wine_prefix_ready "$dir" && exit 0
        if [ -n "$cache" ] && [ "$(mkdir -p "$cache" && cd "$cache" && pwd -P)" != "$(cd "$dir" && pwd -P)" ]; then
            KCOM_WINE_PREFIX_CACHE='' kcom_wine_prefix_ensure "$cache" || exit 1
            echo "wine: copying the prepared prefix $cache/prefix to $dir" >&2
            rm -rf "$dir/prefix" "$dir/prefix.tmp"
            kcom_wine_prefix_copy "$cache/prefix" "$dir/prefix.tmp" && mv "$dir/prefix.tmp" "$dir/prefix" || exit 1
        else
            echo "wine: creating the prefix $dir/prefix (10-25 s, once)" >&2
            kcom_wine_prefix_create "$dir" || {
                echo "wine: could not create a prefix in $dir/prefix" >&2
                exit 1
            }
            kcom_wine_version >"$dir/prefix/.kcom-ready"
        fi
    ) 9>"$dir/.lock"
}
