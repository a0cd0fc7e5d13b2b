# Host unit tests of the hardware facts in lib/x86_64 (pure constexpr
# headers and the page-table walk).
add_host_test(lib_x86_64_tests
  ${CMAKE_CURRENT_LIST_DIR}/apic_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/asm_constants_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/descriptors_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/page_table_test.cpp)
