# Build options of kcom.

option(KCOM_BUILD_TESTS "Build the test suites" ${PROJECT_IS_TOP_LEVEL})
option(KCOM_BUILD_EXAMPLES "Build the examples" ${PROJECT_IS_TOP_LEVEL})
option(KCOM_BUILD_BENCH "Build the benchmarks (needs a C++ compiler)" OFF)
# kcom's own test builds (make test) turn warnings into errors; a project that builds kcom as a
# dependency keeps its compiler's warnings as warnings.
option(KCOM_WARNINGS_AS_ERRORS "Treat warnings as errors in kcom's targets" OFF)

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
# Built with sanitizers: kcom's own option, or -fsanitize= in the flags a build passes every target
# (CMAKE_C_FLAGS). The checks that cannot run so (valgrind, the compile-fail suite, the fuzzer,
# a compile with another sanitizer) are then left out.
string(TOUPPER "${CMAKE_BUILD_TYPE}" kcom_build_type)
if(KCOM_SANITIZE OR "${CMAKE_C_FLAGS} ${CMAKE_C_FLAGS_${kcom_build_type}}" MATCHES "-fsanitize=")
    set(KCOM_SANITIZED TRUE)
else()
    set(KCOM_SANITIZED FALSE)
endif()

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

# The async layer (AsyncOperation, tasks, executors): on for all three platforms. posix and win32
# run it on their threads (thread pool, timer service); ntkernel on the kernel's own primitives
# (src/platform/ntkernel/: a KEVENT, a KTIMER with its KDPC, and the kernel executors' DPCs and
# work items). A new platform starts without it.
if(KCOM_PLATFORM STREQUAL "posix" OR KCOM_PLATFORM STREQUAL "win32" OR KCOM_PLATFORM STREQUAL "ntkernel")
    set(KCOM_ENABLE_ASYNC_DEFAULT ON)
else()
    set(KCOM_ENABLE_ASYNC_DEFAULT OFF)
endif()
option(KCOM_ENABLE_ASYNC "Build the async layer (AsyncOperation, tasks, executors)" ${KCOM_ENABLE_ASYNC_DEFAULT})

# The kernel executors (DPC, work item; trackers are the async layer's, on every target): on where
# the platform has the kernel's scheduling primitives, the kernel itself and the host's simulation
# of them. Windows user mode has neither DPCs nor work items.
if(KCOM_ENABLE_ASYNC AND (KCOM_PLATFORM STREQUAL "posix" OR KCOM_PLATFORM STREQUAL "ntkernel"))
    set(KCOM_ENABLE_KERNEL_EXECUTORS_DEFAULT ON)
else()
    set(KCOM_ENABLE_KERNEL_EXECUTORS_DEFAULT OFF)
endif()
option(KCOM_ENABLE_KERNEL_EXECUTORS "Build the kernel executors (DPC, work item); needs KCOM_ENABLE_ASYNC"
       ${KCOM_ENABLE_KERNEL_EXECUTORS_DEFAULT})
if(KCOM_ENABLE_KERNEL_EXECUTORS AND NOT KCOM_ENABLE_ASYNC)
    message(FATAL_ERROR "KCOM_ENABLE_KERNEL_EXECUTORS needs KCOM_ENABLE_ASYNC")
endif()
if(KCOM_ENABLE_KERNEL_EXECUTORS AND KCOM_PLATFORM STREQUAL "win32")
    message(FATAL_ERROR "KCOM_ENABLE_KERNEL_EXECUTORS: Windows user mode has no DPCs or work items; "
                        "its executor is the thread pool (kcom/executor.h)")
endif()

include(GNUInstallDirs)

set(CMAKE_C_STANDARD 11)
set(CMAKE_C_STANDARD_REQUIRED ON)
set(CMAKE_C_EXTENSIONS OFF)
