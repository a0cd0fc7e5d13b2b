# Host unit tests of kernel/time: the calibration and conversion arithmetic.
add_host_test(time_tests
  ${CMAKE_CURRENT_LIST_DIR}/calibration.cpp
  ${CMAKE_CURRENT_LIST_DIR}/calibration_test.cpp)

