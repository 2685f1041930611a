# Read by CMake after its MSVC rules have set the initial flags of each language
# (CMAKE_USER_MAKE_RULES_OVERRIDE, set by clang-cl-kernel.cmake): takes out what those rules add
# and kernel code cannot have. /EHsc and /GR, appended after the toolchain's /EHs-c- /GR-, would
# turn C++ exceptions and RTTI back on (the last flag wins), and Debug's /RTC1 calls the CRT's
# run-time check functions, which no driver links.
foreach(kcom_rules_var CMAKE_CXX_FLAGS_INIT CMAKE_C_FLAGS_DEBUG_INIT CMAKE_CXX_FLAGS_DEBUG_INIT)
    if(DEFINED ${kcom_rules_var})
        separate_arguments(kcom_rules_flags UNIX_COMMAND "${${kcom_rules_var}}")
        list(REMOVE_ITEM kcom_rules_flags /EHsc /GR /RTC1)
        list(JOIN kcom_rules_flags " " ${kcom_rules_var})
    endif()
endforeach()
unset(kcom_rules_var)
unset(kcom_rules_flags)
