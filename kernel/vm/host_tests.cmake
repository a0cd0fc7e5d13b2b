# Host unit tests of user address spaces (kernel/vm): the region tree, the
# user page tables over simulated physical memory, mmap & co., faults, fork,
# the layout, and a differential run against the host's own kernel.
include(${CMAKE_CURRENT_LIST_DIR}/host_sources.cmake)
add_host_test(vm_tests ${VM_SOURCES}
  ${CMAKE_CURRENT_LIST_DIR}/vma_tree_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/page_table_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/address_space_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/fault_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/reverse_map_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/layout_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/linux_differential_test.cpp)
