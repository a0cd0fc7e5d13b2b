# Host unit tests of the memory manager (frame allocator, page mapper, heap,
# direct-map plan) over simulated physical memory (kernel/mm/simulated_memory.hpp).
add_host_test(mm_tests
  ${CMAKE_CURRENT_LIST_DIR}/frame_allocator.cpp
  ${CMAKE_CURRENT_LIST_DIR}/page_mapper.cpp
  ${CMAKE_CURRENT_LIST_DIR}/heap.cpp
  ${CMAKE_CURRENT_LIST_DIR}/direct_map.cpp
  ${CMAKE_CURRENT_LIST_DIR}/direct_map_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/frame_allocator_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/page_mapper_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/heap_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/tlb_batch_test.cpp)
