# Host unit tests of user address spaces (kernel/vm): the region tree, the
# user page tables over simulated physical memory, mmap & co., faults, fork.
add_host_test(vm_tests
  ${PROJECT_SOURCE_DIR}/kernel/mm/frame_allocator.cpp
  ${CMAKE_CURRENT_LIST_DIR}/allocation.cpp
  ${CMAKE_CURRENT_LIST_DIR}/vma_tree.cpp
  ${CMAKE_CURRENT_LIST_DIR}/page_table.cpp
  ${CMAKE_CURRENT_LIST_DIR}/vma_tree_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/page_table_test.cpp)
