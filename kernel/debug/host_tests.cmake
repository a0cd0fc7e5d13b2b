# Host tests of kernel/debug: the HOST_TEST variants of PANIC and ASSERT.
add_host_test(kernel_debug_tests ${CMAKE_CURRENT_LIST_DIR}/assert_test.cpp)
