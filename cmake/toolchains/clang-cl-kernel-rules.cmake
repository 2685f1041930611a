# Read by CMake after its MSVC rules have set the initial flags of each language
# (CMAKE_USER_MAKE_RULES_OVERRIDE, set by clang-cl-kernel.cmake): takes out what those rules add
# and kernel code cannot have. /EHsc and /GR, appended after the toolchain's /EHs-c- /GR-, would
# turn C++ exceptions and RTTI back on (the last flag wins), and Debug's /RTC1 calls the CRT's
# run-time check functions, which no driver links.
# Whole words only, and the rest of the text as it is: the toolchain's flags hold quoted paths.
foreach(kcom_rules_var CMAKE_CXX_FLAGS_INIT CMAKE_C_FLAGS_DEBUG_INIT CMAKE_CXX_FLAGS_DEBUG_INIT)
    if(DEFINED ${kcom_rules_var})
        set(kcom_rules_flags " ${${kcom_rules_var}} ")
        foreach(kcom_rules_flag /EHsc /GR /RTC1)
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
