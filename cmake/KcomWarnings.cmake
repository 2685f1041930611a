# kcom_target_defaults(target): warnings as errors and the chosen sanitizers, for kcom's own targets.

function(kcom_target_defaults target)
    if(CMAKE_C_COMPILER_ID MATCHES "GNU|Clang")
        target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Werror)
    elseif(MSVC)
        target_compile_options(${target} PRIVATE /W4 /WX /Zc:preprocessor)
    endif()
    if(KCOM_SANITIZE)
        string(REPLACE ";" "," sanitizers "${KCOM_SANITIZE}")
        target_compile_options(${target} PRIVATE -fsanitize=${sanitizers} -fno-omit-frame-pointer
                                                 -fno-sanitize-recover=all)
        target_link_options(${target} PRIVATE -fsanitize=${sanitizers})
    endif()
endfunction()
