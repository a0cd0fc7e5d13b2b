# Host unit tests of kernel/dev: PS/2 scancode set 1 decoding, US layout, and
# key events to the bytes xterm sends (checked against the host's terminfo).
add_host_test(keyboard_tests
  ${CMAKE_CURRENT_LIST_DIR}/scancode.cpp
  ${CMAKE_CURRENT_LIST_DIR}/scancode_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/key_encoding.cpp
  ${CMAKE_CURRENT_LIST_DIR}/key_encoding_test.cpp)
