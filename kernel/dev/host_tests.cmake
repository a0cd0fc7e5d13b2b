# Host unit tests of kernel/dev: PS/2 scancode set 1 decoding, US layout.
add_host_test(keyboard_tests
  ${CMAKE_CURRENT_LIST_DIR}/scancode.cpp
  ${CMAKE_CURRENT_LIST_DIR}/scancode_test.cpp)
