# kcom-wdk.cmake - building kcom for the Windows kernel with MSVC and the WDK, through the community
# FindWDK module (https://github.com/SergiusTheBest/FindWDK).
#
# NOT VERIFIED. kcom's own tests build the kernel library with mingw-w64 and its DDK headers and run
# it in a test driver hosted by Wine (make test-kernel, cmake/toolchains/mingw-w64-x86_64-kernel.cmake).
# No Windows, MSVC or WDK is available to them, so this recipe has never been configured or built
# by kcom's tests. It is written from FindWDK's documented interface and kcom's requirements;
# expect to adjust it on a real WDK. docs/building.md lists what it assumes.
#
# Use, from a driver project configured on Windows with MSVC and the WDK installed:
#
#   list(APPEND CMAKE_MODULE_PATH "<FindWDK checkout>/cmake")
#   find_package(WDK REQUIRED)
#   include("<kcom checkout>/cmake/kcom-wdk.cmake")     # defines the static library target `kcom`
#
#   wdk_add_driver(MyDriver KMDF 1.15 driver.c)
#   target_link_libraries(MyDriver kcom)               # kcom's include directory, definitions and
#                                                      # C11 + /Zc:preprocessor come with it
#
# Settings (cache variables, set before the include to change them):
#   KCOM_WDK_KMDF_VERSION    KMDF version handed to wdk_add_library (default 1.15; empty: none).
#                            kcom itself uses only WDM functions; the KMDF include directory is
#                            there for drivers that include KMDF headers next to kcom's.
#   KCOM_REFCOUNT_HARDENING  OFF, FAILFAST (default) or LEAKY, as in kcom's own CMake build.
#
# The driver calls kcom_initialize() in DriverEntry (PASSIVE_LEVEL, before any other kcom call) and
# kcom_uninitialize() in DriverUnload after its last kcom object is gone.

include_guard(GLOBAL)

if(NOT COMMAND wdk_add_library)
    message(FATAL_ERROR "kcom-wdk.cmake: wdk_add_library is not defined; call find_package(WDK) "
                        "with FindWDK (https://github.com/SergiusTheBest/FindWDK) on CMAKE_MODULE_PATH first")
endif()
if(NOT MSVC)
    message(FATAL_ERROR "kcom-wdk.cmake is for MSVC and the WDK; with mingw-w64 use "
                        "cmake/toolchains/mingw-w64-x86_64-kernel.cmake (docs/building.md)")
endif()
if(TARGET kcom)
    message(FATAL_ERROR "kcom-wdk.cmake: a target named kcom already exists")
endif()

get_filename_component(KCOM_WDK_SOURCE_DIR "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)

set(KCOM_WDK_KMDF_VERSION "1.15" CACHE STRING "KMDF version for kcom's wdk_add_library (empty: none)")
set(KCOM_REFCOUNT_HARDENING "FAILFAST" CACHE STRING "Reference count hardening: OFF, FAILFAST or LEAKY")
set_property(CACHE KCOM_REFCOUNT_HARDENING PROPERTY STRINGS OFF FAILFAST LEAKY)
if(KCOM_REFCOUNT_HARDENING STREQUAL "OFF")
    set(KCOM_WDK_HARDENING_VALUE 0)
elseif(KCOM_REFCOUNT_HARDENING STREQUAL "FAILFAST")
    set(KCOM_WDK_HARDENING_VALUE 1)
elseif(KCOM_REFCOUNT_HARDENING STREQUAL "LEAKY")
    set(KCOM_WDK_HARDENING_VALUE 2)
else()
    message(FATAL_ERROR "KCOM_REFCOUNT_HARDENING must be OFF, FAILFAST or LEAKY, not '${KCOM_REFCOUNT_HARDENING}'")
endif()

# The portable runtime, the async layer with the kernel executors, and the kernel platform layer:
# the sources of src/CMakeLists.txt with KCOM_PLATFORM ntkernel and its defaults (the kernel
# build checks that they are the same: tests/checks/wdk_sources.cmake).
set(KCOM_WDK_SOURCES
    "${KCOM_WDK_SOURCE_DIR}/src/runtime.c"
    "${KCOM_WDK_SOURCE_DIR}/src/diag/debug.c"
    "${KCOM_WDK_SOURCE_DIR}/src/diag/failfast.c"
    "${KCOM_WDK_SOURCE_DIR}/src/diag/trace.c"
    "${KCOM_WDK_SOURCE_DIR}/src/alloc/allocator.c"
    "${KCOM_WDK_SOURCE_DIR}/src/alloc/caching_allocator.c"
    "${KCOM_WDK_SOURCE_DIR}/src/alloc/counting_allocator.c"
    "${KCOM_WDK_SOURCE_DIR}/src/core/client.c"
    "${KCOM_WDK_SOURCE_DIR}/src/core/guid.c"
    "${KCOM_WDK_SOURCE_DIR}/src/core/object.c"
    "${KCOM_WDK_SOURCE_DIR}/src/core/status.c"
    "${KCOM_WDK_SOURCE_DIR}/src/strings/unicode_string.c"
    "${KCOM_WDK_SOURCE_DIR}/src/sched/task.c"
    "${KCOM_WDK_SOURCE_DIR}/src/sched/tracker.c"
    "${KCOM_WDK_SOURCE_DIR}/src/async/operation.c"
    "${KCOM_WDK_SOURCE_DIR}/src/async/spawn.c"
    "${KCOM_WDK_SOURCE_DIR}/src/async/block_on.c"
    "${KCOM_WDK_SOURCE_DIR}/src/async/awaitable.c"
    "${KCOM_WDK_SOURCE_DIR}/src/async/awaitable_timer.c"
    "${KCOM_WDK_SOURCE_DIR}/src/exec/executor_list.c"
    "${KCOM_WDK_SOURCE_DIR}/src/exec/dpc_executor.c"
    "${KCOM_WDK_SOURCE_DIR}/src/exec/work_item_executor.c"
    "${KCOM_WDK_SOURCE_DIR}/src/platform/ntkernel/platform_ntkernel.c"
    "${KCOM_WDK_SOURCE_DIR}/src/platform/ntkernel/events_ntkernel.c"
    "${KCOM_WDK_SOURCE_DIR}/src/platform/ntkernel/executor_ntkernel.c"
    "${KCOM_WDK_SOURCE_DIR}/src/platform/ntkernel/timer_ntkernel.c"
    "${KCOM_WDK_SOURCE_DIR}/src/platform/ntkernel/irp_ntkernel.c"
    "${KCOM_WDK_SOURCE_DIR}/src/platform/windows/free_list_slist.c")

if(KCOM_WDK_KMDF_VERSION)
    wdk_add_library(kcom STATIC KMDF ${KCOM_WDK_KMDF_VERSION} ${KCOM_WDK_SOURCES})
else()
    wdk_add_library(kcom STATIC ${KCOM_WDK_SOURCES})
endif()
add_library(kcom::kcom ALIAS kcom)

# After wdk_add_library, which sets the target's compile options and definitions wholesale.
target_include_directories(kcom PUBLIC "${KCOM_WDK_SOURCE_DIR}/include" PRIVATE "${KCOM_WDK_SOURCE_DIR}/src")
# KCOM_KERNEL selects kcom's kernel target (/kernel's _KERNEL_MODE would too); POOL_TAGGING is what
# the mingw-w64 build needs for tagged pool and is harmless with the WDK.
# The hardening mode is kcom/config.h's default (below), which a driver's file may override.
target_compile_definitions(kcom PUBLIC KCOM_KERNEL POOL_TAGGING KCOM_ENABLE_ASYNC=1 KCOM_ENABLE_KERNEL_EXECUTORS=1
                                         KCOM_HAS_ASYNC_TIMER=1)
# C11 (_Static_assert, _Alignof; /std:c11 needs Visual Studio 2019 16.8 or later) and a conforming
# preprocessor (kcom's declaration macros; /std:c11 implies it, stated anyway) for kcom and for
# every driver source that includes kcom's headers.
target_compile_features(kcom PUBLIC c_std_11)
target_compile_options(kcom PUBLIC $<$<COMPILE_LANG_AND_ID:C,MSVC>:/Zc:preprocessor>
                                   $<$<COMPILE_LANG_AND_ID:CXX,MSVC>:/Zc:preprocessor>)
# The kernel platform layer's fallback from ExAllocatePool2 to ExAllocatePoolWithTag (for kernels
# before Windows 10 2004) is deliberate, so the WDK's deprecation warning for the latter (C4996) is
# silenced for kcom's own sources.
target_compile_options(kcom PRIVATE /wd4996)

# kcom/config.h, as kcom's own build generates it (cmake/kcom_config.h.in), for these options.
set(KCOM_PLATFORM ntkernel)
set(KCOM_CONFIG_KERNEL 1)
set(KCOM_CONFIG_ENABLE_ASYNC 1)
set(KCOM_CONFIG_ENABLE_KERNEL_EXECUTORS 1)
set(KCOM_CONFIG_HAS_ASYNC_TIMER 1)
set(KCOM_REFCOUNT_HARDENING_VALUE ${KCOM_WDK_HARDENING_VALUE})
configure_file("${KCOM_WDK_SOURCE_DIR}/cmake/kcom_config.h.in" "${CMAKE_CURRENT_BINARY_DIR}/kcom-wdk/include/kcom/config.h"
               @ONLY)
target_include_directories(kcom PUBLIC "${CMAKE_CURRENT_BINARY_DIR}/kcom-wdk/include")
