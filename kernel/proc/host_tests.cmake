# Host unit tests of the process layer's pure parts (kernel/proc).
add_host_test(proc_signal_tests ${CMAKE_CURRENT_LIST_DIR}/signal_state_test.cpp ${CMAKE_CURRENT_LIST_DIR}/signal_state.cpp
              ${CMAKE_CURRENT_LIST_DIR}/signal_frame_test.cpp ${CMAKE_CURRENT_LIST_DIR}/signal_frame.cpp
              ${CMAKE_CURRENT_LIST_DIR}/signal_restart_test.cpp)
