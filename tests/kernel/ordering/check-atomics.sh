#!/bin/bash
# check-atomics.sh OBJDUMP OBJECT... - checks, in the instructions the compiler emitted, that each
# kcom atomic compiled from atomic_probe.c has the ordering kcom/atomic.h documents: on ARM64 the
# loads are acquires (ldar, ldapr, or ldr then dmb ishld), the stores releases (stlr, or dmb ish
# then str), the read-modify-writes both (ldaxr with stlxr, an LSE ...al instruction, or a dmb
# ish), the acquire fence a dmb; on x86 the 64-bit forms are lock cmpxchg8b and nothing touches the
# x87 unit, MMX or SSE (kernel code may not without saving their state). Everywhere the loads and
# stores (but x86's 64-bit load) are no read-modify-write: readers of one word share its cache
# line. Fails naming the function and the object.
set -u
objdump=${1:?usage: $0 OBJDUMP OBJECT...}
shift
status=0
for object in "$@"; do
    disassembly=$("$objdump" -d --no-show-raw-insn "$object") || { echo "check-atomics: cannot disassemble $object" >&2; exit 2; }
    case "$("$objdump" -f "$object")" in
        *aarch64* | *arm64* | *ARM64*) machine=arm64 ;;
        *i386* | *386*) machine=x86 ;;
        *) echo "check-atomics: $object: neither ARM64 nor x86" >&2; exit 2 ;;
    esac
    # "function<TAB>instruction mnemonics, space-separated" per probe function (x86's stdcall
    # decoration, _name@N, removed).
    functions=$(printf '%s\n' "$disassembly" | awk '
        /^[0-9a-f]+ <[^>]+>:$/ {
            if (name != "") print name "\t" body
            name = $2; gsub(/[<>:]/, "", name); sub(/^_/, "", name); sub(/@[0-9]+$/, "", name); body = " "
            next
        }
        name != "" && /^ +[0-9a-f]+:/ { sub(/^ +[0-9a-f]+:[ \t]+/, ""); split($0, word, /[ \t]+/); body = body word[1] " " word[2] " " }
        END { if (name != "") print name "\t" body }' | grep '^kcom_probe_')
    [ -n "$functions" ] || { echo "check-atomics: $object has no kcom_probe_ functions" >&2; exit 2; }
    while IFS="$(printf '\t')" read -r name body; do
        kind=${name#kcom_probe_}
        need=""
        shun=""
        if [ $machine = arm64 ]; then
            case $kind in
                load | load_ptr | load64) need=' (ldar|ldapr) | ldr [wx][0-9]+, dmb ishld ' ;;
                store | store_ptr) need=' stlr | dmb ish str ' ;;
                acquire_fence) need=' dmb (ish|ishld) ' ;;
                *) need=' ldaxr .* stlxr | (ldaddal|ldsetal|swpal|casal) | dmb ish ' ;;
            esac
            case $kind in
                load | load_ptr | load64 | store | store_ptr) shun=' (ld[a]?xr|st[l]?xr|ldadd[a-z]*|ldset[a-z]*|swp[a-z]*|cas[a-z]*) ' ;;
            esac
        else
            if printf '%s ' "$body" | grep -qE ' (fild|fistp|fld|fst|fstp|fxch|emms)[a-z]* |%xmm|%mm[0-7]'; then
                echo "check-atomics: $object: $name uses the x87 unit, MMX or SSE" >&2
                status=1
            fi
            case $kind in
                load64 | fetch_add64) need=' cmpxchg8b ' ;;
                fetch_add | exchange | compare_exchange | or | exchange_ptr | compare_exchange_ptr) need=' (lock|xchg[a-z]*) ' ;;
                load | load_ptr | store | store_ptr) shun=' (lock|xchg[a-z]*|cmpxchg[a-z0-9]*) ' ;;
            esac
        fi
        if [ -n "$shun" ] && printf '%s ' "$body" | grep -qE "$shun"; then
            echo "check-atomics: $object: $name is a read-modify-write, where kcom/atomic.h documents a plain access:$body" >&2
            status=1
        fi
        if [ -n "$need" ] && ! printf '%s ' "$body" | grep -qE "$need"; then
            echo "check-atomics: $object: $name lacks the ordering kcom/atomic.h documents (wanted /$need/):$body" >&2
            status=1
        fi
    done <<<"$functions"
    [ $status -eq 0 ] && echo "check-atomics: $(basename "${object%/ordering/*}"): $(printf '%s\n' "$functions" | wc -l) atomics ordered as documented ($machine)"
done
exit $status
