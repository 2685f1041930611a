#!/bin/sh
# check-cxx-object.sh NM OBJDUMP OBJECT... - fails when a C++ object of the kernel test driver
# needs a C++ runtime the kernel does not have: a global constructor or destructor (.ctors,
# .dtors, .init_array, .fini_array), operator new or delete, the exception or RTTI support of
# libstdc++/libsupc++ (__cxa_*, __gxx_personality_*, _Unwind_*, typeinfo), or atexit.
set -eu
nm=$1
objdump=$2
shift 2
status=0
for object in "$@"; do
    sections=$("$objdump" -h "$object" | awk '{print $2}' | grep -E '^\.(ctors|dtors|init_array|fini_array)' || true)
    if [ -n "$sections" ]; then
        echo "check-cxx-object: $object has global constructors or destructors: $sections" >&2
        status=1
    fi
    runtime=$("$nm" -u "$object" | awk '{print $NF}' |
        grep -E '^(_Zn[wa]|_Zd[la]|__cxa_|__gxx_personality|_Unwind_|_ZTI|_ZTS|__dso_handle$|atexit$|_onexit$)' || true)
    if [ -n "$runtime" ]; then
        echo "check-cxx-object: $object needs the C++ runtime:" $runtime >&2
        status=1
    fi
done
[ $status -eq 0 ] && echo "check-cxx-object: $# C++ object(s) without a C++ runtime"
exit $status
