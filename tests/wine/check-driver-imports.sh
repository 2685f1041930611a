#!/bin/bash
# check-driver-imports.sh DRIVER.sys - fails, naming the function, when the driver imports
# something the Wine that will host it does not implement.
#
# Wine exports many kernel functions as stubs (winebuild's __wine_stub_NAME) that end the host
# process on their first call, and MmGetSystemRoutineAddress returns them as if they were real.
# A driver that imports one loads fine and dies later, so this runs before loading (and after
# linking, so such an import is a build error). Each imported DLL must exist among Wine's PE
# modules for the driver's machine (x86_64-windows, or i386-windows for an x86 driver) and export
# every imported name as a real function (a forwarder is followed once, to the DLL it names).
set -u

driver=${1:?usage: $0 DRIVER.sys}
objdump=${KCOM_OBJDUMP:-x86_64-w64-mingw32-objdump}
command -v "$objdump" >/dev/null || { echo "check-driver-imports: $objdump not found" >&2; exit 2; }
[ -f "$driver" ] || { echo "check-driver-imports: no such file: $driver" >&2; exit 2; }
case "$("$objdump" -f "$driver")" in
    *"file format pei-i386"*) wine_arch=i386; lib_arch=i386-linux-gnu ;;
    *) wine_arch=x86_64; lib_arch=x86_64-linux-gnu ;;
esac
wine_dir=${KCOM_WINE_PE_DIR:-}
if [ -z "$wine_dir" ]; then
    for candidate in /usr/lib/$lib_arch/wine/$wine_arch-windows /usr/lib/wine/$wine_arch-windows \
                     /usr/local/lib/wine/$wine_arch-windows /opt/wine-stable/lib/wine/$wine_arch-windows; do
        [ -f "$candidate/ntoskrnl.exe" ] && { wine_dir=$candidate; break; }
    done
fi
[ -n "$wine_dir" ] || { echo "check-driver-imports: Wine's $wine_arch-windows modules not found (set KCOM_WINE_PE_DIR)" >&2; exit 2; }
command -v winedump >/dev/null || { echo "check-driver-imports: winedump not found (wine64-tools)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# "DLL<TAB>function" for every import; by-ordinal imports show as "<ordinal N>".
"$objdump" -p "$driver" | awk '
    /^\tDLL Name: / { dll = tolower($3); next }
    /^$/ { if (dll != "") blank++; if (blank > 1) { dll = ""; blank = 0 }; next }
    dll != "" && /^\t[0-9a-f]+\t/ {
        blank = 0
        if (NF >= 3) print dll "\t" $3; else print dll "\t<ordinal " $2 ">"
    }' | sort -u >"$work/imports"

[ -s "$work/imports" ] || { echo "check-driver-imports: $driver imports nothing (not a driver?)" >&2; exit 2; }

# Exports of a Wine module: "name" for real functions, "name -> dll.target" for forwarders;
# stubs are listed in $work/DLL.stubs.
load_module() {
    module=$1
    [ -f "$work/$module.exports" ] && return 0
    [ -f "$wine_dir/$module" ] || return 1
    winedump -j export "$wine_dir/$module" | awk '
        /^  [0-9A-Fa-f]+ +[0-9]+ +[^ ]+/ {
            if ($4 == "(->") { target = $5; sub(/\)$/, "", target); print $3 " -> " tolower(target) }
            else print $3
        }' >"$work/$module.exports"
    strings "$wine_dir/$module" | sed -n 's/^__wine_stub_//p' | sort -u >"$work/$module.stubs"
}

status=0
while IFS="$(printf '\t')" read -r dll function; do
    if ! load_module "$dll"; then
        echo "check-driver-imports: $driver imports $function from $dll, which Wine does not have" >&2
        status=1
        continue
    fi
    case "$function" in "<ordinal"*)
        echo "check-driver-imports: $driver imports $dll by ordinal ($function); import by name" >&2
        status=1
        continue ;;
    esac
    export_line=$(grep -m1 -E "^$function( |\$)" "$work/$dll.exports")
    if [ -z "$export_line" ]; then
        echo "check-driver-imports: $driver imports $function, which Wine's $dll does not export" >&2
        status=1
    elif grep -qx "$function" "$work/$dll.stubs"; then
        echo "check-driver-imports: $driver imports $function, which Wine's $dll only stubs (the first call ends the host)" >&2
        status=1
    else
        case "$export_line" in *" -> "*)
            target=${export_line#* -> }
            target_dll=${target%%.*}.dll
            target_function=${target#*.}
            if load_module "$target_dll" && grep -qx "$target_function" "$work/$target_dll.stubs"; then
                echo "check-driver-imports: $driver imports $function, which Wine's $dll forwards to a stub ($target)" >&2
                status=1
            fi ;;
        esac
    fi
done <"$work/imports"

if [ $status -eq 0 ]; then
    echo "check-driver-imports: $(basename "$driver"): $(wc -l <"$work/imports") imports, all implemented by Wine"
fi
exit $status
