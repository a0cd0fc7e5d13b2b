# Host benchmarks (Google Benchmark): the memory manager's hot paths on
# simulated physical memory, next to glibc malloc and mimalloc in the same
# run (Debian: libbenchmark-dev, libmimalloc-dev). `make bench` runs it.
find_package(benchmark QUIET)
find_package(mimalloc QUIET)
if(NOT benchmark_FOUND OR NOT mimalloc_FOUND)
  message(STATUS "benchmarks: libbenchmark-dev and libmimalloc-dev are needed; target 'benchmarks' not built")
  return()
endif()

add_executable(benchmarks
  ${CMAKE_CURRENT_LIST_DIR}/mm_bench.cpp
  ${PROJECT_SOURCE_DIR}/kernel/mm/frame_allocator.cpp
  ${PROJECT_SOURCE_DIR}/kernel/mm/page_mapper.cpp
  ${PROJECT_SOURCE_DIR}/kernel/mm/heap.cpp)
target_include_directories(benchmarks PRIVATE ${PROJECT_SOURCE_DIR})
# The kernel code built as a release kernel would be: no debug checks, no
# heap redzones (HOST_TEST only selects the host variants of panic and locks).
target_compile_definitions(benchmarks PRIVATE HOST_TEST=1 KERNEL_DEBUG_ASSERTS=0)
target_compile_options(benchmarks PRIVATE -O2 -g -Wall -Wextra -Wno-unused-parameter)
# mimalloc's shared library exports malloc/free too: the glibc figures call
# __libc_malloc/__libc_free directly, so each column is the allocator it says.
target_link_libraries(benchmarks PRIVATE benchmark::benchmark mimalloc)
