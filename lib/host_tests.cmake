# Host unit tests of lib/ (one executable per area; see cmake/host_tests.cmake).
add_host_test(lib_cmdline_tests ${CMAKE_CURRENT_LIST_DIR}/cmdline.cpp ${CMAKE_CURRENT_LIST_DIR}/cmdline_test.cpp)
add_host_test(lib_tests ${CMAKE_CURRENT_LIST_DIR}/format_test.cpp)
