# The kernel/vm sources host tests compile (here and in kernel/proc), with
# the frame allocator they run over.
set(VM_SOURCES
  ${PROJECT_SOURCE_DIR}/kernel/mm/frame_allocator.cpp
  ${PROJECT_SOURCE_DIR}/kernel/vm/allocation.cpp
  ${PROJECT_SOURCE_DIR}/kernel/vm/backing.cpp
  ${PROJECT_SOURCE_DIR}/kernel/vm/vma_tree.cpp
  ${PROJECT_SOURCE_DIR}/kernel/vm/page_table.cpp
  ${PROJECT_SOURCE_DIR}/kernel/vm/page_index.cpp
  ${PROJECT_SOURCE_DIR}/kernel/vm/shared_memory.cpp
  ${PROJECT_SOURCE_DIR}/kernel/vm/address_space.cpp
  ${PROJECT_SOURCE_DIR}/kernel/vm/fault.cpp
  ${PROJECT_SOURCE_DIR}/kernel/vm/remap.cpp
  ${PROJECT_SOURCE_DIR}/kernel/vm/advice.cpp
  ${PROJECT_SOURCE_DIR}/kernel/vm/fork.cpp
  ${PROJECT_SOURCE_DIR}/kernel/vm/layout.cpp)
