# Host unit tests of the process layer's pure parts (kernel/proc).
add_host_test(proc_signal_tests ${CMAKE_CURRENT_LIST_DIR}/signal_state_test.cpp ${CMAKE_CURRENT_LIST_DIR}/signal_state.cpp
              ${CMAKE_CURRENT_LIST_DIR}/signal_frame_test.cpp ${CMAKE_CURRENT_LIST_DIR}/signal_frame.cpp
              ${CMAKE_CURRENT_LIST_DIR}/signal_restart_test.cpp)
add_host_test(proc_futex_tests ${CMAKE_CURRENT_LIST_DIR}/futex_table_test.cpp ${CMAKE_CURRENT_LIST_DIR}/futex_ops.cpp
              ${CMAKE_CURRENT_LIST_DIR}/futex_call_test.cpp ${CMAKE_CURRENT_LIST_DIR}/futex_call.cpp)
add_host_test(proc_timer_tests ${CMAKE_CURRENT_LIST_DIR}/interval_timer_test.cpp ${CMAKE_CURRENT_LIST_DIR}/interval_timer.cpp)
add_host_test(proc_fault_signal_tests ${CMAKE_CURRENT_LIST_DIR}/fault_signals_test.cpp)
