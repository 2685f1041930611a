# toolchain_paths.cmake - the clang-cl kernel toolchain from a directory whose path has spaces and
# parentheses (a clone or an installed package there), building into such a directory: a C and a
# C++ source of a kernel library must compile, and the C++ flags must still have exceptions and RTTI
# off after CMake's MSVC rules (clang-cl-kernel-rules.cmake takes /EHsc and /GR out again). No
# compile may name a C runtime (/MDd and the like define _DLL and _DEBUG and ask the linker for a
# user-mode CRT), under either setting of policy CMP0091 (a project requiring CMake 3.15 or later
# gets the runtime from CMAKE_MSVC_RUNTIME_LIBRARY, an older one in the Debug flags).
#   cmake -DROOT=<kcom source> -DWORK=<scratch directory> -P toolchain_paths.cmake
file(REMOVE_RECURSE "${WORK}")
set(tools "${WORK}/tool chains (copy)")
set(project "${WORK}/my project (copy)")
file(COPY "${ROOT}/cmake/toolchains/" DESTINATION "${tools}")
foreach(minimum 3.20 3.10)
set(build "${WORK}/build dir (${minimum})")
file(WRITE "${project}/CMakeLists.txt" "cmake_minimum_required(VERSION ${minimum})
project(toolchain_paths C CXX)
add_library(toolchain_paths STATIC irql.c irql.cpp)
")
file(WRITE "${project}/irql.c" [[
#include <wdm.h>
KIRQL toolchain_paths_c(void) { return KeGetCurrentIrql(); }
]])
file(WRITE "${project}/irql.cpp" [[
#include <wdm.h>
extern "C" KIRQL toolchain_paths_cxx(void) { return KeGetCurrentIrql(); }
]])
execute_process(COMMAND "${CMAKE_COMMAND}" -S "${project}" -B "${build}" -DCMAKE_BUILD_TYPE=Debug
                        -DCMAKE_EXPORT_COMPILE_COMMANDS=ON
                        "-DCMAKE_TOOLCHAIN_FILE=${tools}/clang-cl-x86_64-kernel.cmake"
                RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(result)
    message(FATAL_ERROR "configuring with the toolchain in \"${tools}\" failed:\n${out}")
endif()
execute_process(COMMAND "${CMAKE_COMMAND}" --build "${build}" RESULT_VARIABLE result
                OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(result)
    message(FATAL_ERROR "building with the toolchain in \"${tools}\" failed:\n${out}")
endif()
file(STRINGS "${build}/CMakeCache.txt" cxx_flags REGEX "^CMAKE_CXX_FLAGS(_DEBUG)?:")
string(REPLACE ";" "\n" cxx_flags "${cxx_flags}")
foreach(flag /EHsc /GR /RTC1)
    if(" ${cxx_flags} " MATCHES "[ =\n]${flag}[ \n]")
        message(FATAL_ERROR "${flag} is back in the C++ flags:\n${cxx_flags}")
    endif()
endforeach()
if(NOT cxx_flags MATCHES "/GR- /EHs-c-")
    message(FATAL_ERROR "the C++ flags lost the toolchain's /GR- /EHs-c-:\n${cxx_flags}")
endif()
file(READ "${build}/compile_commands.json" commands)
if(commands MATCHES "[ \"][-/]M[DT]d?[ \"]")
    message(FATAL_ERROR "a kernel compile names a C runtime (${CMAKE_MATCH_0}), project requiring CMake ${minimum}:\n${commands}")
endif()
endforeach()
message(STATUS "the toolchain in \"${tools}\" built C and C++ into \"${WORK}/build dir (...)\"")
