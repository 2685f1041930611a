# Read by CMake after its MSVC rules have set the initial flags of each language
# (CMAKE_USER_MAKE_RULES_OVERRIDE, set by clang-cl-kernel.cmake): takes out what those rules add
# and kernel code cannot have. /EHsc and /GR, appended after the toolchain's /EHs-c- /GR-, would
# turn C++ exceptions and RTTI back on (the last flag wins), and Debug's /RTC1 calls the CRT's
# run-time check functions, which no driver links. Nor does a driver link a C runtime library: the
# runtime flags (/MDd, /MD, /MTd, /MT) would define _DLL or _MT and _DEBUG for the kernel headers
# and name a user-mode CRT in every object. A project that requires CMake 3.15 or later (policy
# CMP0091) gets them from the default runtime selection, which is switched off here, so that no
# MSVC_RUNTIME_LIBRARY setting adds one; an older project gets them in the initial flags.
# Whole words only, and the rest of the text as it is: the toolchain's flags hold quoted paths.
unset(CMAKE_MSVC_RUNTIME_LIBRARY_DEFAULT)
foreach(kcom_rules_var CMAKE_C_FLAGS_INIT CMAKE_CXX_FLAGS_INIT CMAKE_C_FLAGS_DEBUG_INIT CMAKE_CXX_FLAGS_DEBUG_INIT
                       CMAKE_C_FLAGS_RELEASE_INIT CMAKE_CXX_FLAGS_RELEASE_INIT CMAKE_C_FLAGS_RELWITHDEBINFO_INIT
                       CMAKE_CXX_FLAGS_RELWITHDEBINFO_INIT CMAKE_C_FLAGS_MINSIZEREL_INIT CMAKE_CXX_FLAGS_MINSIZEREL_INIT)
    if(DEFINED ${kcom_rules_var})
        set(kcom_rules_flags " ${${kcom_rules_var}} ")
        foreach(kcom_rules_flag /EHsc /GR /RTC1 /MDd /MD /MTd /MT -MDd -MD -MTd -MT)
            set(kcom_rules_before "")
            while(NOT kcom_rules_flags STREQUAL kcom_rules_before)
                set(kcom_rules_before "${kcom_rules_flags}")
                string(REPLACE " ${kcom_rules_flag} " " " kcom_rules_flags "${kcom_rules_flags}")
            endwhile()
        endforeach()
        string(STRIP "${kcom_rules_flags}" ${kcom_rules_var})
    endif()
endforeach()
unset(kcom_rules_var)
unset(kcom_rules_flags)
unset(kcom_rules_flag)
unset(kcom_rules_before)
