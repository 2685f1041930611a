#!/bin/sh
# check-unwind.sh OBJDUMP FILE... - fails when an object (or an archive member) of an x64 or ARM64
# kernel build calls a function and has no unwind data (.pdata). A function that makes a call sets
# up a frame, and without its RUNTIME_FUNCTION entry the kernel's exception dispatch and every
# stack walk (debugger, bugcheck, ETW, Driver Verifier) take it for a leaf and unwind it wrongly.
# cl.exe always emits the entries; clang-cl with -ffreestanding does not unless told to. A call is
# a call instruction with a branch relocation to its target (bytes of a jump table that happen to
# decode as an indirect call are not one).
set -eu
objdump=$1
shift
status=0
for file in "$@"; do
    "$objdump" -h -d -r "$file" | awk '
        function done_member() {
            if (member != "" && calls && !pdata) {
                printf "check-unwind: %s calls functions but has no unwind data (.pdata)\n", member
                bad = 1
            }
        }
        /file format (coff|pe)-(x86-64|arm64|aarch64)/ {
            done_member(); member = $1; sub(/:$/, "", member); calls = 0; pdata = 0; call = 0; next
        }
        /file format/ { done_member(); member = ""; next }
        $2 == ".pdata" { pdata = 1 }
        call && /IMAGE_REL_(AMD64_REL32|ARM64_BRANCH26)/ { calls = 1 }
        { call = /\t(call|callq|bl)[ \t]/ }
        END { done_member(); exit bad }' || status=1
done
exit $status
