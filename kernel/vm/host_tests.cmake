# Host unit tests of user address spaces (kernel/vm): the region tree, the
# user page tables over simulated physical memory, mmap & co., faults, fork.
set(VM_SOURCES
  ${PROJECT_SOURCE_DIR}/kernel/mm/frame_allocator.cpp
  ${CMAKE_CURRENT_LIST_DIR}/allocation.cpp
  ${CMAKE_CURRENT_LIST_DIR}/vma_tree.cpp
  ${CMAKE_CURRENT_LIST_DIR}/page_table.cpp
  ${CMAKE_CURRENT_LIST_DIR}/page_index.cpp
  ${CMAKE_CURRENT_LIST_DIR}/shared_memory.cpp
  ${CMAKE_CURRENT_LIST_DIR}/address_space.cpp
  ${CMAKE_CURRENT_LIST_DIR}/fault.cpp
  ${CMAKE_CURRENT_LIST_DIR}/remap.cpp
  ${CMAKE_CURRENT_LIST_DIR}/advice.cpp
  ${CMAKE_CURRENT_LIST_DIR}/fork.cpp)
add_host_test(vm_tests ${VM_SOURCES}
  ${CMAKE_CURRENT_LIST_DIR}/vma_tree_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/page_table_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/address_space_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/fault_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/linux_differential_test.cpp)
