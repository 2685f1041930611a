# One compile-fail case (tests/compile_fail/README.md): compiles SOURCE with COMPILER and checks
# the outcome its header comment announces.
#   cmake -DCOMPILER=cc -DSOURCE=case.c -DINCLUDE_DIR=include -DCONFIG_INCLUDE_DIR=build/include -DWORK_DIR=dir -P run.cmake
# Lines of the case's comment read here:
#   outcome: error | warning | success   error: the compilation fails; warning: it succeeds with a
#                                        diagnostic; success: it succeeds without any
#   first: <regex>                       the first diagnostic (error or warning line) matches it
#   max-errors: <n>                      at most n error lines
#   forbid: <regex>                      no line of the output matches it
#   flags: <arguments>                   more compiler arguments
cmake_minimum_required(VERSION 3.20)

foreach(var COMPILER SOURCE INCLUDE_DIR CONFIG_INCLUDE_DIR WORK_DIR)
    if(NOT DEFINED ${var})
        message(FATAL_ERROR "run.cmake: ${var} is not set")
    endif()
endforeach()

file(STRINGS "${SOURCE}" header REGEX "^ \\* (outcome|first|max-errors|forbid|flags): ")
set(outcome "")
set(first "")
set(max_errors "")
set(forbid "")
set(flags "")
foreach(line IN LISTS header)
    string(REGEX REPLACE "^ \\* ([a-z-]+): (.*)$" "\\1" key "${line}")
    string(REGEX REPLACE "^ \\* ([a-z-]+): (.*)$" "\\2" value "${line}")
    if(key STREQUAL "outcome")
        set(outcome "${value}")
    elseif(key STREQUAL "first")
        set(first "${value}")
    elseif(key STREQUAL "max-errors")
        set(max_errors "${value}")
    elseif(key STREQUAL "forbid")
        set(forbid "${value}")
    elseif(key STREQUAL "flags")
        separate_arguments(flags UNIX_COMMAND "${value}")
    endif()
endforeach()
if(NOT outcome MATCHES "^(error|warning|success)$")
    message(FATAL_ERROR "${SOURCE}: no 'outcome: error|warning|success' line")
endif()
if(NOT outcome STREQUAL "success" AND first STREQUAL "")
    message(FATAL_ERROR "${SOURCE}: no 'first:' line")
endif()

get_filename_component(name "${SOURCE}" NAME_WE)
file(MAKE_DIRECTORY "${WORK_DIR}")
if(SOURCE MATCHES "\\.cpp$")
    set(standard -std=c++17) # a case's flags may name another
else()
    set(standard -std=c11)
endif()
# The dialect (C11; C++17 for a .cpp case), warnings and definitions of a consumer's build, with
# this build's kcom/config.h (the async layer on: a case turns it off with -DKCOM_ENABLE_ASYNC=0,
# which config.h leaves alone); no -Werror unless the case asks for it. LC_ALL=C: plain quotes in
# the messages.
execute_process(
    COMMAND "${CMAKE_COMMAND}" -E env LC_ALL=C "${COMPILER}" ${standard} -Wall -Wextra -c "${SOURCE}" -I "${INCLUDE_DIR}" -I "${CONFIG_INCLUDE_DIR}" -DKCOM_ENABLE_ASYNC=1 ${flags}
            -o "${WORK_DIR}/${name}.o"
    RESULT_VARIABLE result
    OUTPUT_VARIABLE output
    ERROR_VARIABLE output)
file(WRITE "${WORK_DIR}/${name}.log" "${output}")

set(failures "")
if(outcome STREQUAL "error" AND result EQUAL 0)
    list(APPEND failures "it compiled; it must not")
elseif(NOT outcome STREQUAL "error" AND NOT result EQUAL 0)
    list(APPEND failures "it did not compile")
endif()

string(REPLACE "\n" ";" lines "${output}")
set(diagnostics "")
set(errors 0)
foreach(line IN LISTS lines)
    if(line MATCHES "(^|: )(fatal )?error: ")
        math(EXPR errors "${errors} + 1")
    endif()
    if(line MATCHES "(^|: )((fatal )?error|warning): ")
        list(APPEND diagnostics "${line}")
    endif()
endforeach()

if(outcome STREQUAL "success")
    if(diagnostics)
        list(GET diagnostics 0 line)
        list(APPEND failures "a diagnostic: ${line}")
    endif()
else()
    if(NOT diagnostics)
        list(APPEND failures "no diagnostic at all")
    else()
        list(GET diagnostics 0 line)
        if(NOT line MATCHES "${first}")
            list(APPEND failures "the first diagnostic does not match '${first}': ${line}")
        endif()
    endif()
endif()
if(NOT max_errors STREQUAL "" AND errors GREATER max_errors)
    list(APPEND failures "${errors} errors, more than ${max_errors}")
endif()
if(NOT forbid STREQUAL "" AND output MATCHES "${forbid}")
    list(APPEND failures "the output has '${forbid}'")
endif()

if(failures)
    string(REPLACE ";" "\n  " failures "${failures}")
    message(FATAL_ERROR "${name} (${COMPILER}):\n  ${failures}\n--- output (${WORK_DIR}/${name}.log) ---\n${output}")
endif()
list(LENGTH diagnostics count)
message(STATUS "${name}: ${outcome} as expected (${count} diagnostics, ${errors} errors)")
