# wdk_sources.cmake - cmake/kcom-wdk.cmake (the library an MSVC + WDK project builds, which lists
# its sources by hand) compiles exactly the sources of this kernel build's kcom target: a source
# added to src/ and not to that list leaves the WDK build with undefined references at link time.
# Included by tests/CMakeLists.txt in a kernel configuration with the async layer and the kernel
# executors (what kcom-wdk.cmake builds); it stops the configuration on a mismatch.
get_target_property(wdk_check_target_sources kcom SOURCES)
set(wdk_check_expected "")
foreach(source IN LISTS wdk_check_target_sources)
    if(NOT IS_ABSOLUTE "${source}")
        set(source "${PROJECT_SOURCE_DIR}/src/${source}")
    endif()
    if(source MATCHES "\\.c$")
        file(RELATIVE_PATH source "${PROJECT_SOURCE_DIR}" "${source}")
        list(APPEND wdk_check_expected "${source}")
    endif()
endforeach()
file(STRINGS "${PROJECT_SOURCE_DIR}/cmake/kcom-wdk.cmake" wdk_check_lines REGEX "KCOM_WDK_SOURCE_DIR}/src/.*\\.c\"")
set(wdk_check_listed "")
foreach(line IN LISTS wdk_check_lines)
    string(REGEX REPLACE ".*KCOM_WDK_SOURCE_DIR}/(src/[^\"]*\\.c)\".*" "\\1" source "${line}")
    list(APPEND wdk_check_listed "${source}")
endforeach()
set(wdk_check_missing ${wdk_check_expected})
list(REMOVE_ITEM wdk_check_missing ${wdk_check_listed})
set(wdk_check_extra ${wdk_check_listed})
list(REMOVE_ITEM wdk_check_extra ${wdk_check_expected})
if(wdk_check_missing OR wdk_check_extra OR NOT wdk_check_listed)
    message(FATAL_ERROR "cmake/kcom-wdk.cmake's KCOM_WDK_SOURCES differs from the kernel build's sources: "
                        "missing [${wdk_check_missing}], not built here [${wdk_check_extra}]")
endif()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/cmake/kcom-wdk.cmake")
