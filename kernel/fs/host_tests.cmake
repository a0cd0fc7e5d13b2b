# Host unit tests of kernel/fs: the cpio newc reader (with archives made by the
# host's cpio(1), so the test packages include cpio), and the VFS core (path
# walk, tmpfs, descriptors, initramfs unpacking) over simulated frames, with
# errno compared against the host kernel where the host can say.
add_host_test(cpio_tests
  ${CMAKE_CURRENT_LIST_DIR}/cpio.cpp ${CMAKE_CURRENT_LIST_DIR}/cpio_test.cpp)

include(${PROJECT_SOURCE_DIR}/kernel/vm/host_sources.cmake)
set(FS_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/node.cpp
  ${CMAKE_CURRENT_LIST_DIR}/io_buffer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/user_copy.cpp
  ${CMAKE_CURRENT_LIST_DIR}/file.cpp
  ${CMAKE_CURRENT_LIST_DIR}/device.cpp
  ${CMAKE_CURRENT_LIST_DIR}/tmpfs.cpp
  ${CMAKE_CURRENT_LIST_DIR}/walk.cpp
  ${CMAKE_CURRENT_LIST_DIR}/vfs.cpp
  ${CMAKE_CURRENT_LIST_DIR}/procfs.cpp
  ${CMAKE_CURRENT_LIST_DIR}/fd_table.cpp
  ${CMAKE_CURRENT_LIST_DIR}/initramfs.cpp
  ${CMAKE_CURRENT_LIST_DIR}/poll.cpp
  ${CMAKE_CURRENT_LIST_DIR}/pipe.cpp
  ${CMAKE_CURRENT_LIST_DIR}/eventfd.cpp
  ${CMAKE_CURRENT_LIST_DIR}/epoll.cpp
  ${CMAKE_CURRENT_LIST_DIR}/wait_host.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cpio.cpp)
add_host_test(fs_tests ${VM_SOURCES} ${FS_SOURCES}
  ${PROJECT_SOURCE_DIR}/lib/memory.cpp
  ${CMAKE_CURRENT_LIST_DIR}/vfs_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/fd_table_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/initramfs_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/pipe_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/epoll_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/procfs_test.cpp)
