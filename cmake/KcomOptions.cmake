# Build options of kcom.

option(KCOM_BUILD_TESTS "Build the test suites" ${PROJECT_IS_TOP_LEVEL})
option(KCOM_BUILD_EXAMPLES "Build the examples" ${PROJECT_IS_TOP_LEVEL})
option(KCOM_BUILD_BENCH "Build the benchmarks (needs a C++ compiler)" OFF)

set(KCOM_REFCOUNT_HARDENING "FAILFAST" CACHE STRING
    "Reference count hardening: OFF, FAILFAST (overflow/underflow stop the program or bugcheck) or LEAKY (saturate)")
set_property(CACHE KCOM_REFCOUNT_HARDENING PROPERTY STRINGS OFF FAILFAST LEAKY)
if(KCOM_REFCOUNT_HARDENING STREQUAL "OFF")
    set(KCOM_REFCOUNT_HARDENING_VALUE 0)
elseif(KCOM_REFCOUNT_HARDENING STREQUAL "FAILFAST")
    set(KCOM_REFCOUNT_HARDENING_VALUE 1)
elseif(KCOM_REFCOUNT_HARDENING STREQUAL "LEAKY")
    set(KCOM_REFCOUNT_HARDENING_VALUE 2)
else()
    message(FATAL_ERROR "KCOM_REFCOUNT_HARDENING must be OFF, FAILFAST or LEAKY, not '${KCOM_REFCOUNT_HARDENING}'")
endif()

set(KCOM_SANITIZE "" CACHE STRING
    "Sanitizers for every kcom target, a list such as address;undefined or thread; empty for none")

# The platform layer: posix (Linux and other POSIX hosts), win32 (Windows user mode),
# ntkernel (Windows kernel).
if(NOT DEFINED KCOM_PLATFORM)
    if(CMAKE_SYSTEM_NAME STREQUAL "Windows")
        if(KCOM_KERNEL)
            set(KCOM_PLATFORM ntkernel)
        else()
            set(KCOM_PLATFORM win32)
        endif()
    else()
        set(KCOM_PLATFORM posix)
    endif()
endif()
set(KCOM_PLATFORM "${KCOM_PLATFORM}" CACHE STRING "Platform layer: posix, win32 or ntkernel")
if(NOT EXISTS "${PROJECT_SOURCE_DIR}/src/platform/${KCOM_PLATFORM}")
    message(FATAL_ERROR "kcom has no platform layer '${KCOM_PLATFORM}' (src/platform/${KCOM_PLATFORM})")
endif()

# The async layer (AsyncOperation, tasks, executors): on where the platform has an executor.
if(KCOM_PLATFORM STREQUAL "posix" OR KCOM_PLATFORM STREQUAL "win32")
    set(KCOM_ENABLE_ASYNC_DEFAULT ON)
else()
    set(KCOM_ENABLE_ASYNC_DEFAULT OFF) # ntkernel executors are not written yet
endif()
option(KCOM_ENABLE_ASYNC "Build the async layer (AsyncOperation, tasks, executors)" ${KCOM_ENABLE_ASYNC_DEFAULT})

include(GNUInstallDirs)

set(CMAKE_C_STANDARD 11)
set(CMAKE_C_STANDARD_REQUIRED ON)
set(CMAKE_C_EXTENSIONS OFF)
