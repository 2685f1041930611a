# ctest driver: install the kcom build tree into a private prefix, check that every header of
# include/kcom/ (and the generated kcom/config.h, the toolchain files and, for the host, the
# valgrind suppressions) is there, then configure,
# build and run the consumer project against it with find_package(kcom).
#   cmake -DKCOM_BUILD_DIR=... -DWORK_DIR=... -DSOURCE_DIR=... -DINCLUDE_DIR=... -DC_COMPILER=...
#         [-DC_FLAGS=...] [-DTOOLCHAIN=<file in the installed toolchains/> -DEMULATOR=...] [-DPLAIN_COMPILE=ON]
#         [-DREFUSE_HOST=ON] [-DASYNC=OFF] -P run.cmake
# C_FLAGS: the kcom build's C flags, which a consumer without TOOLCHAIN is built with too (-m32 in
#   a 32-bit host build: find_package refuses a 32-bit package to a 64-bit project).
# TOOLCHAIN: the consumer is configured with the installed toolchain file (a cross build; the
#   consumer runs through EMULATOR, with the kcom build's Wine prefix).
# PLAIN_COMPILE: the consumer is also compiled and linked without CMake, with the installed
#   include directory and library only: kcom/config.h must bring the build's definitions.
# REFUSE_HOST: a host project (no toolchain) must be refused by find_package(kcom), with a
#   message naming both targets.
# REFUSE_TOOLCHAIN: a project configured with this other installed toolchain file (a compiler of
#   the other dialect) must be refused, with a message naming both dialects.
# REFUSE_PROCESSOR_TOOLCHAIN: a project configured with this other installed toolchain file (the
#   same dialect, another processor) must be refused, with a message naming both processors.
# CONSUMER=OFF: the consumer is not built (a kernel package: it is a user-mode program).
# ASYNC: whether kcom was built with its async layer (default ON); the consumer checks that the
#   installed kcom/config.h says the same, and declares an async operation only then.
file(REMOVE_RECURSE "${WORK_DIR}")
if(NOT DEFINED ASYNC OR ASYNC)
    set(expect_async 1)
else()
    set(expect_async 0)
endif()
set(prefix "${WORK_DIR}/prefix")
execute_process(COMMAND "${CMAKE_COMMAND}" --install "${KCOM_BUILD_DIR}" --prefix "${prefix}"
                RESULT_VARIABLE result OUTPUT_QUIET)
if(result)
    message(FATAL_ERROR "installing kcom failed: ${result}")
endif()
# The public headers, the kcom/detail/ headers they include, and the generated configuration.
file(GLOB_RECURSE headers RELATIVE "${INCLUDE_DIR}" "${INCLUDE_DIR}/kcom/*.h")
if(NOT headers MATCHES "kcom/detail/")
    message(FATAL_ERROR "no kcom/detail/ headers under ${INCLUDE_DIR}")
endif()
# kcom/irp.h is the kernel target's only, kcom/kernel_sim.h a build with the host's kernel
# simulation's only (cmake/KcomInstall.cmake)
if(NOT TOOLCHAIN MATCHES "kernel")
    list(REMOVE_ITEM headers kcom/irp.h)
endif()
list(REMOVE_ITEM headers kcom/kernel_sim.h)
foreach(header IN LISTS headers ITEMS kcom/config.h)
    if(NOT EXISTS "${prefix}/include/${header}")
        message(FATAL_ERROR "${header} was not installed")
    endif()
endforeach()
file(GLOB libdirs LIST_DIRECTORIES true "${prefix}/lib*")
list(GET libdirs 0 libdir)
foreach(file kcomConfig.cmake toolchains/mingw-w64-x86_64.cmake toolchains/mingw-w64-x86_64-kernel.cmake
             toolchains/clang-cl-x86_64-kernel.cmake toolchains/wine-ddk/kcom_wine_ddk.h)
    if(NOT EXISTS "${libdir}/cmake/kcom/${file}")
        message(FATAL_ERROR "lib/cmake/kcom/${file} was not installed")
    endif()
endforeach()

# a host build's valgrind suppressions (cmake/KcomInstall.cmake)
if(NOT TOOLCHAIN AND NOT EXISTS "${prefix}/share/kcom/valgrind.supp")
    message(FATAL_ERROR "share/kcom/valgrind.supp was not installed")
endif()

if(CONSUMER STREQUAL "OFF")
    set(skip_consumer TRUE)
endif()
set(consumer_args "-DCMAKE_PREFIX_PATH=${prefix}" "-DKCOM_PACKAGE_EXPECT_ASYNC=${expect_async}")
if(TOOLCHAIN)
    list(APPEND consumer_args "-DCMAKE_TOOLCHAIN_FILE=${libdir}/cmake/kcom/toolchains/${TOOLCHAIN}")
else()
    list(APPEND consumer_args "-DCMAKE_C_COMPILER=${C_COMPILER}" "-DCMAKE_C_FLAGS=${C_FLAGS}")
endif()
separate_arguments(c_flags UNIX_COMMAND "${C_FLAGS}")
if(NOT skip_consumer)
    execute_process(COMMAND "${CMAKE_COMMAND}" -S "${SOURCE_DIR}" -B "${WORK_DIR}/build" ${consumer_args}
                    RESULT_VARIABLE result)
    if(result)
        message(FATAL_ERROR "configuring the consumer with find_package(kcom) failed: ${result}")
    endif()
    execute_process(COMMAND "${CMAKE_COMMAND}" --build "${WORK_DIR}/build" RESULT_VARIABLE result)
    if(result)
        message(FATAL_ERROR "building the consumer failed: ${result}")
    endif()
    file(GLOB consumer "${WORK_DIR}/build/consumer" "${WORK_DIR}/build/consumer.exe")
    execute_process(COMMAND "${CMAKE_COMMAND}" -E env "KCOM_WINE_DIR=${KCOM_BUILD_DIR}/wine" ${EMULATOR} ${consumer}
                    RESULT_VARIABLE result)
    if(result)
        message(FATAL_ERROR "the consumer failed: ${result}")
    endif()
    file(GLOB sim_consumer "${WORK_DIR}/build/sim_consumer")
    if(sim_consumer)
        execute_process(COMMAND ${sim_consumer} RESULT_VARIABLE result)
        if(result)
            message(FATAL_ERROR "the kernel simulation's consumer failed: ${result}")
        endif()
    elseif(EXISTS "${prefix}/include/kcom/kernel_sim.h")
        message(FATAL_ERROR "kcom/kernel_sim.h was installed without kcom::kernel_sim")
    endif()
endif()

if(PLAIN_COMPILE)
    file(GLOB library "${libdir}/libkcom.a")
    execute_process(COMMAND "${C_COMPILER}" ${c_flags} -std=c11 -Wall -Wextra -Wpedantic -Werror "-I${prefix}/include"
                            "-DKCOM_PACKAGE_EXPECT_ASYNC=${expect_async}"
                            "${SOURCE_DIR}/consumer.c" ${library} -lpthread -o "${WORK_DIR}/consumer_plain"
                    RESULT_VARIABLE result)
    if(result)
        message(FATAL_ERROR "compiling the consumer without CMake (installed headers and library only) failed")
    endif()
    execute_process(COMMAND "${WORK_DIR}/consumer_plain" RESULT_VARIABLE result)
    if(result)
        message(FATAL_ERROR "the consumer built without CMake failed: ${result}")
    endif()
endif()

# Configures the consumer in build_dir with the arguments that follow, expecting find_package(kcom)
# to refuse the package with a message matching expected.
function(expect_refused what build_dir expected)
    execute_process(COMMAND "${CMAKE_COMMAND}" -S "${SOURCE_DIR}" -B "${WORK_DIR}/${build_dir}"
                            "-DCMAKE_PREFIX_PATH=${prefix}" ${ARGN} RESULT_VARIABLE result ERROR_VARIABLE errors
                            OUTPUT_QUIET)
    string(REGEX REPLACE "[ \t\r\n]+" " " errors "${errors}")
    if(NOT result OR NOT errors MATCHES "${expected}")
        message(FATAL_ERROR "${what} was not refused the package as it should be:\n${errors}")
    endif()
endfunction()

if(REFUSE_HOST)
    expect_refused("a host project" host-build "was built for win32, and this project is configured for posix")
endif()
if(REFUSE_TOOLCHAIN)
    expect_refused("a project configured with ${REFUSE_TOOLCHAIN}" other-dialect-build
                   "was built by a compiler of the (msvc|gnu) dialect, and this project is configured with one of the (msvc|gnu) dialect"
                   "-DCMAKE_TOOLCHAIN_FILE=${libdir}/cmake/kcom/toolchains/${REFUSE_TOOLCHAIN}")
endif()
if(REFUSE_PROCESSOR_TOOLCHAIN)
    expect_refused("a project configured with ${REFUSE_PROCESSOR_TOOLCHAIN}" other-processor-build
                   "was built for the [a-z0-9]+ processor, and this project is configured for [a-z0-9]+"
                   "-DCMAKE_TOOLCHAIN_FILE=${libdir}/cmake/kcom/toolchains/${REFUSE_PROCESSOR_TOOLCHAIN}")
endif()
