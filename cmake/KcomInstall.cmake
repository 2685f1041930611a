# Install rules and the CMake package: find_package(kcom) then link kcom::kcom (and, for the kernel
# executors on the Linux host, kcom::kernel_sim: the host's simulation of the kernel under them).

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(KCOM_INSTALL_TARGETS kcom)
if(TARGET kcom_kernel_sim)
    list(APPEND KCOM_INSTALL_TARGETS kcom_kernel_sim)
    set_target_properties(kcom_kernel_sim PROPERTIES EXPORT_NAME kernel_sim)
endif()
install(TARGETS ${KCOM_INSTALL_TARGETS} EXPORT kcomTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# kcom/irp.h (pended IRPs) exists for the kernel target only, kcom/kernel_sim.h (the simulation's
# test hooks) with the host's kernel simulation only.
set(KCOM_INSTALL_HEADER_EXCLUDES "")
if(NOT (KCOM_PLATFORM STREQUAL "ntkernel" AND KCOM_ENABLE_ASYNC))
    list(APPEND KCOM_INSTALL_HEADER_EXCLUDES PATTERN "irp.h" EXCLUDE)
endif()
if(NOT TARGET kcom_kernel_sim)
    list(APPEND KCOM_INSTALL_HEADER_EXCLUDES PATTERN "kernel_sim.h" EXCLUDE)
endif()
install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/kcom" DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        ${KCOM_INSTALL_HEADER_EXCLUDES})
install(FILES "${PROJECT_BINARY_DIR}/include/kcom/config.h" DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/kcom)
install(EXPORT kcomTargets NAMESPACE kcom:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/kcom)

# The toolchain files kcom was built with (and their Wine DDK additions), for consumers that build
# with the same toolchain: -DCMAKE_TOOLCHAIN_FILE=<prefix>/lib/cmake/kcom/toolchains/<file>.
install(DIRECTORY "${PROJECT_SOURCE_DIR}/cmake/toolchains" DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/kcom)

# The valgrind suppressions of a host build's futex wakes (scripts/valgrind.supp says why), for
# consumers that run their programs under memcheck.
if(KCOM_PLATFORM STREQUAL "posix")
    install(FILES "${PROJECT_SOURCE_DIR}/scripts/valgrind.supp" DESTINATION ${CMAKE_INSTALL_DATADIR}/kcom)
endif()

# What kcomConfig.cmake checks a consumer against: the platform layer this kcom was built for, the
# dialect of the compiler that built it
if(MSVC OR CMAKE_C_COMPILER_FRONTEND_VARIANT STREQUAL "MSVC")
    set(KCOM_COMPILER_DIALECT msvc)
else()
    set(KCOM_COMPILER_DIALECT gnu)
endif()
# and the processor it was built for (kcomConfig.cmake.in says why the compiler's, where known)
if(CMAKE_C_COMPILER_ARCHITECTURE_ID)
    set(KCOM_PROCESSOR "${CMAKE_C_COMPILER_ARCHITECTURE_ID}")
else()
    set(KCOM_PROCESSOR "${CMAKE_SYSTEM_PROCESSOR}")
endif()
if(KCOM_PLATFORM STREQUAL "posix" AND KCOM_ENABLE_ASYNC)
    set(KCOM_PACKAGE_NEEDS_THREADS ON)
else()
    set(KCOM_PACKAGE_NEEDS_THREADS OFF)
endif()
configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/kcomConfig.cmake.in"
    "${PROJECT_BINARY_DIR}/kcomConfig.cmake"
    INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/kcom)
write_basic_package_version_file("${PROJECT_BINARY_DIR}/kcomConfigVersion.cmake"
    COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/kcomConfig.cmake" "${PROJECT_BINARY_DIR}/kcomConfigVersion.cmake"
    DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/kcom)
