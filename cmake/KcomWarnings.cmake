# kcom_target_defaults(target): the warnings (as errors with KCOM_WARNINGS_AS_ERRORS), those of
# kcom's headers included, and the chosen sanitizers, for kcom's own targets; with the clang-cl
# kernel toolchain, its DDK headers as dependencies; with KCOM_CL_BRANCH_CHECK, the cl.exe-branch
# compile.

function(kcom_target_defaults target)
    # kcom's headers are system headers to a consumer (their inline code is not the consumer's to
    # fix); kcom's own targets see their warnings.
    target_compile_definitions(${target} PRIVATE KCOM_HEADER_WARNINGS=1)
    # clang-cl is Clang with MSVC's command line: /W4 there (its -Wall is -Weverything).
    if(MSVC OR CMAKE_C_COMPILER_FRONTEND_VARIANT STREQUAL "MSVC")
        target_compile_options(${target} PRIVATE /W4 $<$<BOOL:${KCOM_WARNINGS_AS_ERRORS}>:/WX>)
        if(MSVC AND NOT CMAKE_C_COMPILER_ID STREQUAL "Clang")
            target_compile_options(${target} PRIVATE /Zc:preprocessor)
        endif()
    elseif(CMAKE_C_COMPILER_ID MATCHES "GNU|Clang")
        target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic $<$<BOOL:${KCOM_WARNINGS_AS_ERRORS}>:-Werror>)
    endif()
    if(KCOM_SANITIZE)
        string(REPLACE ";" "," sanitizers "${KCOM_SANITIZE}")
        target_compile_options(${target} PRIVATE -fsanitize=${sanitizers} -fno-omit-frame-pointer
                                                 -fno-sanitize-recover=all)
        target_link_options(${target} PRIVATE -fsanitize=${sanitizers})
    endif()
    if(KCOM_WINE_DDK_DIR)
        # The clang-cl kernel toolchain's force-included header and its overrides sit in a system
        # directory (-imsvc), which the compiler leaves out of the dependencies it reports: name
        # them, so that changing one rebuilds what it compiles into.
        file(GLOB ddk_headers "${KCOM_WINE_DDK_DIR}/*.h")
        get_target_property(sources ${target} SOURCES)
        set_property(SOURCE ${sources} APPEND PROPERTY OBJECT_DEPENDS ${ddk_headers})
    endif()
    if(KCOM_CL_BRANCH_CHECK)
        # After the directory's other commands, when the target has all its sources and libraries.
        cmake_language(EVAL CODE "cmake_language(DEFER CALL kcom_add_cl_branch_check [[${target}]])")
    endif()
endfunction()

# kcom_add_cl_branch_check(target): with clang-cl, an object library `<target>_cl_branch` that
# compiles the target's sources again with __clang__ undefined, so that every `_MSC_VER &&
# !__clang__` branch (the code only cl.exe takes) is compiled too, as cl.exe with /std:c11 sees it.
# Compile only: nothing links it. The unused-entity warnings are clang's, not cl's: cl does not report unused static inline
# functions or unused file-scope constants, and kcom's KCOM_UNUSED, which marks them for gcc and
# clang, is empty in that branch's C ([[maybe_unused]] in C++17, as everywhere).
function(kcom_add_cl_branch_check target)
    if(NOT CMAKE_C_COMPILER_ID STREQUAL "Clang" OR NOT CMAKE_C_COMPILER_FRONTEND_VARIANT STREQUAL "MSVC")
        message(FATAL_ERROR "KCOM_CL_BRANCH_CHECK needs clang-cl")
    endif()
    get_target_property(sources ${target} SOURCES)
    get_target_property(source_dir ${target} SOURCE_DIR)
    set(absolute_sources "")
    foreach(source IN LISTS sources)
        if(source MATCHES "\\.(c|cpp|cc|cxx)$")
            get_filename_component(source "${source}" ABSOLUTE BASE_DIR "${source_dir}")
            list(APPEND absolute_sources "${source}")
        endif()
    endforeach()
    add_library(${target}_cl_branch OBJECT ${absolute_sources})
    foreach(property COMPILE_DEFINITIONS COMPILE_OPTIONS INCLUDE_DIRECTORIES LINK_LIBRARIES)
        get_target_property(values ${target} ${property})
        if(values)
            set_property(TARGET ${target}_cl_branch PROPERTY ${property} "${values}")
        endif()
    endforeach()
    foreach(property C_STANDARD C_STANDARD_REQUIRED C_EXTENSIONS CXX_STANDARD CXX_STANDARD_REQUIRED CXX_EXTENSIONS)
        get_target_property(value ${target} ${property})
        if(NOT value STREQUAL "value-NOTFOUND")
            set_property(TARGET ${target}_cl_branch PROPERTY ${property} "${value}")
        endif()
    endforeach()
    # _MSVC_TRADITIONAL=0: what cl.exe defines with /std:c11 (its conforming preprocessor).
    target_compile_options(${target}_cl_branch PRIVATE -U__clang__ -D_MSVC_TRADITIONAL=0 -Wno-unused-function
                                                       -Wno-unused-variable -Wno-unused-const-variable)
    # x86: /arch:SSE2, under which clang-cl's <intrin.h> offers _mm_pause (its i686 default has no
    # SSE2; cl.exe, whose x86 /kernel builds allow only /arch:IA32, uses _mm_pause for the WDK's
    # YieldProcessor there; compile only, so the instruction set's effect on code does not
    # matter), and the 64-bit Interlocked names cl.exe lacks there poisoned (cl-branch-x86.h).
    if(CMAKE_SYSTEM_PROCESSOR STREQUAL "X86")
        target_compile_options(${target}_cl_branch PRIVATE /arch:SSE2 "/FI${PROJECT_SOURCE_DIR}/cmake/cl-branch-x86.h")
    endif()
endfunction()
