# public_api.cmake - every benchmark case reaches kcom the way a driver's code does: through the
# public headers, the functions they declare and the code kcom's macros generate.
#
#   cmake -DSOURCES=<dir>[;<dir>...] -P public_api.cmake
#
# Fails when a kcom-side source under one of the directories names a kcom_rt_* function or macro
# (the runtime of generated code: only macro expansions may call it), an internal type of
# kcom/detail, includes a kcom/detail header, or one of the library's own headers (src/). The
# host's simulated kernel (platform/posix/kernel_sim) is allowed: it stands in for ntoskrnl, the
# environment a driver runs in, not for kcom.
if(NOT SOURCES)
    message(FATAL_ERROR "public_api.cmake: set SOURCES to the directories to check")
endif()

set(forbidden
    "kcom_rt_[A-Za-z0-9_]+"                 # generated code's runtime
    "kcom_async_op[^_A-Za-z0-9]"            # the operation's internal struct (kcom/detail/async.h)
    "kcom_async_op_layout"                  # the library's layout helpers
    "KCOM_RT_[A-Z0-9_]+"                    # generated code's macros
    "#[ \t]*include[ \t]*[<\"]kcom/detail/" # internal headers
    "#[ \t]*include[ \t]*\"(async|alloc|core|sched|exec|diag|strings)/" # the library's sources
    "_internal\\.h\"")
set(violations "")
foreach(dir IN LISTS SOURCES)
    file(GLOB_RECURSE files "${dir}/*.c" "${dir}/*.h" "${dir}/*.cpp")
    foreach(file IN LISTS files)
        file(STRINGS "${file}" lines)
        set(number 0)
        foreach(line IN LISTS lines)
            math(EXPR number "${number} + 1")
            foreach(pattern IN LISTS forbidden)
                if(line MATCHES "${pattern}")
                    string(APPEND violations "\n  ${file}:${number}: ${CMAKE_MATCH_0}")
                endif()
            endforeach()
        endforeach()
    endforeach()
endforeach()
if(violations)
    message(FATAL_ERROR "benchmark cases that call kcom's internals instead of its public API:${violations}")
endif()
message(STATUS "public API only: ${SOURCES}")
