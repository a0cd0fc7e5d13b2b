# Host unit tests of the loader's pure logic (page-table building, HHDM
# planning, calendar conversion).
add_host_test(loader_paging_tests
  ${CMAKE_CURRENT_LIST_DIR}/paging.cpp ${CMAKE_CURRENT_LIST_DIR}/paging_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/boot_time.cpp ${CMAKE_CURRENT_LIST_DIR}/boot_time_test.cpp)
