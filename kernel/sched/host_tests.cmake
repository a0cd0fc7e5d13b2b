# Host unit tests of the scheduling policy (kernel/sched): the EEVDF run
# queue, the nice table, placement and balancing, and a simulation of many
# CPUs on a simulated clock.
add_host_test(sched_tests
  ${CMAKE_CURRENT_LIST_DIR}/run_queue.cpp
  ${CMAKE_CURRENT_LIST_DIR}/balance.cpp
  ${CMAKE_CURRENT_LIST_DIR}/run_queue_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/policy_simulation_test.cpp)

# The load averages' fixed-point arithmetic (/proc/loadavg).
add_host_test(load_average_tests ${CMAKE_CURRENT_LIST_DIR}/load_average_test.cpp)
