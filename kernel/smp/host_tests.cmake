# Host unit tests of the pure SMP pieces: which CPUs run (the MADT against the
# loader's list) and the per-CPU call inbox, with real threads.
add_host_test(smp_tests
  ${CMAKE_CURRENT_LIST_DIR}/cpu_plan.cpp ${CMAKE_CURRENT_LIST_DIR}/cpu_plan_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/call_queue_test.cpp)
find_package(Threads REQUIRED)
target_link_libraries(smp_tests PRIVATE Threads::Threads)
