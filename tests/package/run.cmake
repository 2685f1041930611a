# ctest driver: install the kcom build tree into a private prefix, check that every header of
# include/kcom/ is there, then configure, build and run the consumer project against it with
# find_package(kcom).
#   cmake -DKCOM_BUILD_DIR=... -DWORK_DIR=... -DSOURCE_DIR=... -DINCLUDE_DIR=... -DC_COMPILER=... -P run.cmake
file(REMOVE_RECURSE "${WORK_DIR}")
execute_process(COMMAND "${CMAKE_COMMAND}" --install "${KCOM_BUILD_DIR}" --prefix "${WORK_DIR}/prefix"
                RESULT_VARIABLE result OUTPUT_QUIET)
if(result)
    message(FATAL_ERROR "installing kcom failed: ${result}")
endif()
# The public headers and the kcom/detail/ headers they include.
file(GLOB_RECURSE headers RELATIVE "${INCLUDE_DIR}" "${INCLUDE_DIR}/kcom/*.h")
if(NOT headers MATCHES "kcom/detail/")
    message(FATAL_ERROR "no kcom/detail/ headers under ${INCLUDE_DIR}")
endif()
foreach(header IN LISTS headers)
    if(NOT EXISTS "${WORK_DIR}/prefix/include/${header}")
        message(FATAL_ERROR "${header} was not installed")
    endif()
endforeach()
execute_process(COMMAND "${CMAKE_COMMAND}" -S "${SOURCE_DIR}" -B "${WORK_DIR}/build"
                        "-DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix" "-DCMAKE_C_COMPILER=${C_COMPILER}"
                RESULT_VARIABLE result)
if(result)
    message(FATAL_ERROR "configuring the consumer with find_package(kcom) failed: ${result}")
endif()
execute_process(COMMAND "${CMAKE_COMMAND}" --build "${WORK_DIR}/build" RESULT_VARIABLE result)
if(result)
    message(FATAL_ERROR "building the consumer failed: ${result}")
endif()
execute_process(COMMAND "${WORK_DIR}/build/consumer" RESULT_VARIABLE result)
if(result)
    message(FATAL_ERROR "the consumer failed: ${result}")
endif()
