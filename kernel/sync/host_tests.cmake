# Host unit tests of the lock logic (kernel/sync).
add_host_test(sync_tests ${CMAKE_CURRENT_LIST_DIR}/spinlock_test.cpp)
