# build/initramfs.cpio: the initramfs (a cpio newc archive, docs/cpio.md)
# the kernel unpacks into its root tmpfs at boot (docs/fs.md "At boot"):
# the tree's rootfs/ skeleton, the project's user programs under
# /usr/test/{glibc,musl}/ with run-all.sh, then ROOTFS_OVERLAY (a host
# folder, `make ROOTFS_OVERLAY=<dir>`) over it. Rebuilt at every build (the
# overlay's contents are not known to CMake), rewritten only when it changed.
set(ROOTFS_OVERLAY "" CACHE PATH "A host folder copied over rootfs/ into the initramfs")
set(INITRAMFS ${CMAKE_BINARY_DIR}/initramfs.cpio)
set(initramfs_files "")
foreach(flavour glibc musl)
  foreach(prog ${USER_TEST_PROGRAMS})
    list(APPEND initramfs_files --file usr/test/${flavour}/${prog}=${USER_OUT}/${flavour}/${prog})
  endforeach()
endforeach()
list(APPEND initramfs_files --file usr/test/run-all.sh=${USER_OUT}/run-all.sh)
add_custom_target(initramfs ALL
  COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tools/make_initramfs.py --out ${INITRAMFS}
          --tree ${PROJECT_SOURCE_DIR}/rootfs ${initramfs_files}
          $<$<BOOL:${ROOTFS_OVERLAY}>:--overlay> $<$<BOOL:${ROOTFS_OVERLAY}>:${ROOTFS_OVERLAY}>
  BYPRODUCTS ${INITRAMFS}
  DEPENDS user_programs
  COMMENT "initramfs: rootfs/, user programs${ROOTFS_OVERLAY}"
  COMMAND_EXPAND_LISTS VERBATIM)
