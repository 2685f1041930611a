#!/bin/sh
# check-cxx-object.sh NM OBJDUMP OBJECT... - fails when a C++ object of the kernel test driver
# needs a C++ runtime the kernel does not have: global constructors or destructors (.ctors, .dtors,
# .init_array, .fini_array; MSVC's .CRT$XC* and .CRT$XT*), operator new or delete, exception or
# RTTI support (libstdc++/libsupc++'s __cxa_*, __gxx_personality_*, _Unwind_*, typeinfo; MSVC's
# __CxxFrameHandler*, _CxxThrowException, __RTDynamicCast, type_info), thread-safe statics
# (MSVC's _Init_thread_*) or atexit. Names of both ABIs are looked for in every object.
set -eu
nm=$1
objdump=$2
shift 2
status=0
for object in "$@"; do
    headers=$("$objdump" -h "$object") || { echo "check-cxx-object: $objdump cannot read $object" >&2; exit 1; }
    sections=$(printf '%s\n' "$headers" | awk '{print $2}' |
        grep -E '^\.(ctors|dtors|init_array|fini_array|CRT\$X[CT])' || true)
    if [ -n "$sections" ]; then
        echo "check-cxx-object: $object has global constructors or destructors:" $sections >&2
        status=1
    fi
    undefined=$("$nm" -u "$object") || { echo "check-cxx-object: $nm cannot read $object" >&2; exit 1; }
    gnu='_Zn[wa]|_Zd[la]|__cxa_|__gxx_personality|_Unwind_|_ZTI|_ZTS|__dso_handle$'
    msvc='\?\?[23]@|\?\?_[UV]@|\?\?_7type_info@|__CxxFrameHandler|_CxxThrowException|__RTDynamicCast|__RTtypeid|_Init_thread_|__std_terminate'
    runtime=$(printf '%s\n' "$undefined" | awk '{print $NF}' | grep -E "^($gnu|$msvc|atexit$|_onexit$)" || true)
    if [ -n "$runtime" ]; then
        echo "check-cxx-object: $object needs the C++ runtime:" $runtime >&2
        status=1
    fi
done
[ $status -eq 0 ] && echo "check-cxx-object: $# C++ object(s) without a C++ runtime"
exit $status
