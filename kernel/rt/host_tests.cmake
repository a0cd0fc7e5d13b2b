# Host tests of kernel/rt: the UBSan runtime's reports (renamed entry points,
# see the HOST_TEST block in ubsan.cpp).
add_host_test(kernel_rt_tests ${CMAKE_CURRENT_LIST_DIR}/ubsan.cpp ${CMAKE_CURRENT_LIST_DIR}/ubsan_test.cpp)
