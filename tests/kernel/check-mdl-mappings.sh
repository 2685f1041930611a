#!/bin/bash
# check-mdl-mappings.sh DIR... - every system mapping of an MDL in the C sources under DIR
# (MmGetSystemAddressForMdlSafe, MmMapLockedPagesSpecifyCache) asks for a no-execute mapping
# (MdlMappingNoExecute in its priority). An executable mapping of a data buffer fails the kernel's
# code integrity checks (Driver Verifier's, and HVCI's). A call is read up to its ';'.
set -u
status=0 calls=0
while IFS= read -r file; do
    out=$(awk '
        /MmGetSystemAddressForMdlSafe[ \t]*\(|MmMapLockedPagesSpecifyCache[ \t]*\(/ { inside = 1; text = ""; line = FNR }
        inside { text = text $0; if (index($0, ";")) { inside = 0; print line ": " (text ~ /MdlMappingNoExecute/ ? "ok" : "executable") } }
    ' "$file")
    while IFS= read -r result; do
        [ -n "$result" ] || continue
        calls=$((calls + 1))
        case $result in
        *executable) echo "check-mdl-mappings: $file:${result%%:*}: an MDL mapped without MdlMappingNoExecute" >&2; status=1 ;;
        esac
    done <<<"$out"
done < <(find "$@" -name '*.c' -o -name '*.h' | sort)
[ $calls -gt 0 ] || { echo "check-mdl-mappings: no MDL mapping found in $*" >&2; exit 1; }
[ $status -eq 0 ] && echo "check-mdl-mappings: $calls MDL mappings, each no-execute"
exit $status
