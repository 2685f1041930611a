# sanitized_flags.cmake - a build that passes sanitizers in CMAKE_C_FLAGS (not kcom's own
# KCOM_SANITIZE) configures without the checks that cannot build or run so: the gcc
# ThreadSanitizer header compile (-fsanitize=thread does not go with -fsanitize=address), the
# valgrind runs, the compile-fail suite and the installed-package consumer. Configures a copy of
# the tree in WORK and lists what it would build and run.
#   cmake -DROOT=<source tree> -DWORK=<scratch directory> -DCOMPILER=<C compiler> -P sanitized_flags.cmake
foreach(var ROOT WORK COMPILER)
    if(NOT ${var})
        message(FATAL_ERROR "sanitized_flags.cmake: pass -D${var}=...")
    endif()
endforeach()
file(REMOVE_RECURSE "${WORK}")
execute_process(
    COMMAND "${CMAKE_COMMAND}" -S "${ROOT}" -B "${WORK}" "-DCMAKE_C_COMPILER=${COMPILER}"
            "-DCMAKE_C_FLAGS=-fsanitize=address,undefined" -DKCOM_BUILD_TESTS=ON
            -DKCOM_BUILD_EXAMPLES=OFF -DKCOM_BUILD_BENCH=OFF
    RESULT_VARIABLE configured OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT configured EQUAL 0)
    message(FATAL_ERROR "the configure with -fsanitize= in CMAKE_C_FLAGS failed:\n${out}")
endif()
execute_process(COMMAND "${CMAKE_COMMAND}" --build "${WORK}" --target help
                RESULT_VARIABLE listed OUTPUT_VARIABLE targets ERROR_VARIABLE targets)
execute_process(COMMAND "${CMAKE_CTEST_COMMAND}" -N WORKING_DIRECTORY "${WORK}"
                OUTPUT_VARIABLE tests ERROR_VARIABLE tests)
set(failures "")
if(targets MATCHES "kcom_header_check_gcc_tsan")
    string(APPEND failures "  the gcc ThreadSanitizer header compile is built (it cannot be, with -fsanitize=address)\n")
endif()
foreach(pattern memcheck_ compile_fail_ package_find)
    if(tests MATCHES "${pattern}")
        string(APPEND failures "  tests ${pattern}* are run\n")
    endif()
endforeach()
if(NOT tests MATCHES "Total Tests: [1-9]")
    string(APPEND failures "  no test is listed\n")
endif()
file(REMOVE_RECURSE "${WORK}")
if(failures)
    message(FATAL_ERROR "with -fsanitize= in CMAKE_C_FLAGS:\n${failures}")
endif()
