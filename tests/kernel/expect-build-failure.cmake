# cmake -DBUILD_DIR=... -DTARGET=... -DEXPECT=regex -P expect-build-failure.cmake - passes when
# building TARGET in BUILD_DIR fails with output matching EXPECT (a link that must be refused).
execute_process(COMMAND "${CMAKE_COMMAND}" --build "${BUILD_DIR}" --target "${TARGET}"
                RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
if(result EQUAL 0)
    message(FATAL_ERROR "${TARGET} was built; its build should have failed:\n${output}")
endif()
if(NOT output MATCHES "${EXPECT}")
    message(FATAL_ERROR "${TARGET} failed without naming ${EXPECT}:\n${output}")
endif()
message(STATUS "${TARGET} was refused, as expected")
