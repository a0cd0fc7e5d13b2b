# The Linux user ABI definitions, each checked against the host's own headers.
add_host_test(abi_fs_tests ${CMAKE_CURRENT_LIST_DIR}/linux_fs_test.cpp)
add_host_test(abi_proc_tests ${CMAKE_CURRENT_LIST_DIR}/linux_syscalls_test.cpp ${CMAKE_CURRENT_LIST_DIR}/linux_proc_test.cpp)
add_host_test(abi_signal_tests ${CMAKE_CURRENT_LIST_DIR}/linux_signal_test.cpp
              ${CMAKE_CURRENT_LIST_DIR}/linux_signal_uapi_facts_test.cpp ${CMAKE_CURRENT_LIST_DIR}/linux_futex_test.cpp)
add_host_test(abi_mm_tests ${CMAKE_CURRENT_LIST_DIR}/linux_mm_test.cpp ${CMAKE_CURRENT_LIST_DIR}/linux_exec_test.cpp)
