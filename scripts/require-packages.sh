#!/bin/sh
# require-packages.sh COMMAND:PACKAGE ... - makes sure each COMMAND is available. Missing ones are
# installed from their Debian PACKAGE with apt-get when running as root; otherwise the script
# names the packages to install and fails. A COMMAND starting with / is a file to look for.
set -eu

missing=""
for pair in "$@"; do
    command=${pair%%:*}
    package=${pair#*:}
    case "$command" in
        /*) [ -e "$command" ] && continue ;;
        *) command -v "$command" >/dev/null 2>&1 && continue ;;
    esac
    case " $missing " in *" $package "*) ;; *) missing="$missing $package" ;; esac
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing
else
    echo "missing packages:$missing" >&2
    echo "install them with: sudo apt-get install$missing" >&2
    exit 1
fi
