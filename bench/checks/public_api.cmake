# public_api.cmake - every benchmark case reaches kcom the way a driver's code does: through the
# public headers, the functions they declare and the code kcom's macros generate.
#
#   cmake -DSOURCES=<dir or file>[;<dir or file>...] -P public_api.cmake
#
# Fails when a kcom-side source (every file under a directory, or a file named) names a kcom_rt_*
# function or macro (the runtime of generated code: only macro expansions may call it), an
# internal type of kcom/detail, any other kcom_ name that no public header holds (a function of
# the library's own declared by hand), includes a kcom/detail header or one of the library's own
# headers (anything under src/, any *internal*.h, an include path climbing out of bench/ or an
# absolute one), or pastes a kcom_ or rt_ name together with ##. Lines spliced with a backslash
# are joined first, as the preprocessor joins them.
cmake_policy(SET CMP0057 NEW) # if(IN_LIST)
if(NOT SOURCES)
    message(FATAL_ERROR "public_api.cmake: set SOURCES to the directories and files to check")
endif()

set(forbidden
    "kcom_rt_[A-Za-z0-9_]+"                 # generated code's runtime
    "kcom_async_op[^_A-Za-z0-9]"            # the operation's internal struct (kcom/detail/async.h)
    "kcom_async_op_layout"                  # the library's layout helpers
    "KCOM_RT_[A-Z0-9_]+"                    # generated code's macros
    "(^|[^A-Za-z0-9_])(kcom|KCOM)_[A-Za-z0-9_]*[ \t]*##" # a kcom name pasted on
    "##[ \t]*_?(rt|RT)_"                    # a runtime name pasted together
    "#[ \t]*include[ \t]*[<\"]kcom/detail/" # internal headers
    "#[ \t]*include[ \t]*\"(async|alloc|core|sched|exec|diag|strings|platform)/" # the library's sources
    "#[ \t]*include[ \t]*[<\"][^>\"]*src/"  # the same by a longer path
    "#[ \t]*include[ \t]*[<\"][^>\"]*internal[^>\"/]*\\.h[>\"]" # any internal header
    "#[ \t]*include[ \t]*[<\"](/|[A-Za-z]:)" # an absolute path
    "#[ \t]*include[ \t]*[<\"][^>\"]*\\.\\./\\.\\./") # climbing out of bench/
# The kcom_ names a driver's code may write: those the public headers (include/kcom, not
# kcom/detail) hold. Any other (a function of the library's own, declared by hand) is refused.
file(GLOB public_headers "${CMAKE_CURRENT_LIST_DIR}/../../include/kcom/*.h")
set(public_names "")
foreach(header IN LISTS public_headers)
    file(READ "${header}" text)
    string(REGEX MATCHALL "kcom_[A-Za-z0-9_]+" names "${text}")
    list(APPEND public_names ${names})
endforeach()
list(REMOVE_DUPLICATES public_names)
# A list passed through a test's command line keeps its separators escaped (\;): each is one.
string(REPLACE "\\;" ";" sources "${SOURCES}")
set(files "")
foreach(source IN LISTS sources)
    if(IS_DIRECTORY "${source}")
        file(GLOB_RECURSE found "${source}/*")
        list(APPEND files ${found})
    elseif(EXISTS "${source}")
        list(APPEND files "${source}")
    else()
        message(FATAL_ERROR "public_api.cmake: no such file or directory: ${source}")
    endif()
endforeach()
set(violations "")
foreach(file IN LISTS files)
    file(READ "${file}" text)
    # one list element per line (a ';' of the code would split one otherwise); the preprocessor
    # joins spliced lines before it looks at a name or a directive, so a spliced line is checked
    # whole, reported at its first line
    string(REPLACE ";" "," text "${text}")
    string(REGEX REPLACE "\\\\\r?\n" "@SPLICE@" text "${text}")
    string(REPLACE "\n" ";" lines "${text}")
    set(number 1)
    foreach(line IN LISTS lines)
        string(REGEX MATCHALL "@SPLICE@" splices "${line}")
        list(LENGTH splices spliced)
        string(REPLACE "@SPLICE@" "" line "${line}")
        foreach(pattern IN LISTS forbidden)
            if(line MATCHES "${pattern}")
                string(APPEND violations "\n  ${file}:${number}: ${CMAKE_MATCH_0}")
            endif()
        endforeach()
        set(used "")
        if(file MATCHES "\\.(c|h|cpp|hpp)$") # C and C++ (not a CMakeLists.txt's kcom_ commands)
            string(REGEX MATCHALL "(^|[^A-Za-z0-9_])kcom_[A-Za-z0-9_]+" used "${line}")
        endif()
        foreach(name IN LISTS used)
            string(REGEX REPLACE "^[^k]" "" name "${name}")
            if(NOT name MATCHES "^kcom_(rt_|bench)" AND NOT name IN_LIST public_names) # kcom_bench*: its programs
                string(APPEND violations "\n  ${file}:${number}: ${name} (no public header declares it)")
            endif()
        endforeach()
        math(EXPR number "${number} + 1 + ${spliced}")
    endforeach()
endforeach()
if(violations)
    message(FATAL_ERROR "benchmark cases that call kcom's internals instead of its public API:${violations}")
endif()
message(STATUS "public API only: ${SOURCES}")
