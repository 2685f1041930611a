# cmake -DROOT=<source dir> -P task_return_success.cmake - fails when kcom's headers, docs,
# examples or samples end a task with KCOM_TASK_RETURN and a success code that reads as a failure
# (STATUS_TIMEOUT, STATUS_PENDING): NT_SUCCESS holds for both, so the operation would complete, and
# its caller could not tell a timeout from a result. A failure such as STATUS_IO_TIMEOUT says it.
file(GLOB_RECURSE files "${ROOT}/include/*.h" "${ROOT}/docs/*.md" "${ROOT}/docs/*.c" "${ROOT}/examples/*.c"
     "${ROOT}/samples/*.c" "${ROOT}/samples/*.h")
list(APPEND files "${ROOT}/README.md")
set(found "")
foreach(file IN LISTS files)
    file(STRINGS "${file}" lines REGEX "KCOM_TASK_RETURN\\([^)]*STATUS_(TIMEOUT|PENDING)([^_A-Z]|$)")
    foreach(line IN LISTS lines)
        string(APPEND found "\n  ${file}: ${line}")
    endforeach()
endforeach()
if(found)
    message(FATAL_ERROR "a task returns a success code meant as a failure:${found}")
endif()
message(STATUS "${CMAKE_CURRENT_LIST_FILE}: no task returns STATUS_TIMEOUT or STATUS_PENDING")
