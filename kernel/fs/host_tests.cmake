# Host unit tests of kernel/fs: the cpio newc reader (with archives made by the
# host's cpio(1), so the test packages include cpio).
add_host_test(cpio_tests
  ${CMAKE_CURRENT_LIST_DIR}/cpio.cpp ${CMAKE_CURRENT_LIST_DIR}/cpio_test.cpp)
