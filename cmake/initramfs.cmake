# build/initramfs.cpio: the initramfs (a cpio newc archive, docs/cpio.md)
# the kernel unpacks into its root tmpfs at boot (docs/fs.md "At boot"):
# the tree's rootfs/ skeleton, Debian's busybox with its applet links, the project's user programs under
# /usr/test/{glibc,musl,dynamic}/ with run-all.sh, glibc's ld.so and libc.so.6
# from Debian's libc6, then ROOTFS_OVERLAY (a host
# folder, `make ROOTFS_OVERLAY=<dir>`) over it. Rebuilt at every build (the
# overlay's contents are not known to CMake), rewritten only when it changed.
set(ROOTFS_OVERLAY "" CACHE PATH "A host folder copied over rootfs/ into the initramfs")
set(INITRAMFS ${CMAKE_BINARY_DIR}/initramfs.cpio)
# Debian's busybox-static, fetched once into the build directory by
# `apt-get download` (tools/deps.sh fetch-busybox; docs/busybox.md).
set(BUSYBOX_DIR ${CMAKE_BINARY_DIR}/deps)
set(BUSYBOX ${BUSYBOX_DIR}/busybox-static/bin/busybox)
add_custom_command(OUTPUT ${BUSYBOX}
  COMMAND ${PROJECT_SOURCE_DIR}/tools/deps.sh fetch-busybox ${BUSYBOX_DIR}
  COMMENT "busybox: Debian's busybox-static (apt-get download)" VERBATIM)
add_custom_target(busybox DEPENDS ${BUSYBOX})
set(initramfs_files "")
foreach(flavour glibc musl)
  foreach(prog ${USER_TEST_PROGRAMS})
    list(APPEND initramfs_files --file usr/test/${flavour}/${prog}=${USER_OUT}/${flavour}/${prog})
  endforeach()
endforeach()
foreach(prog ${USER_DYNAMIC_PROGRAMS})
  list(APPEND initramfs_files --file usr/test/dynamic/${prog}=${USER_OUT}/dynamic/${prog})
endforeach()
list(APPEND initramfs_files --file usr/test/run-all.sh=${USER_OUT}/run-all.sh)
# glibc's dynamic loader and C library for the dynamic programs: files of
# the installed libc6 package (dpkg -L libc6 must list each path; libc6-dev,
# which builds the user programs, depends on it), at the paths Debian puts
# them (the PT_INTERP /lib64/ld-linux-x86-64.so.2 is a link to the loader
# in /lib/x86_64-linux-gnu, one of ld.so's default library directories).
# About 2.1 MB.
set(INITRAMFS_PACKAGE_FILES
  libc6:/lib64/ld-linux-x86-64.so.2
  libc6:/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
  libc6:/lib/x86_64-linux-gnu/libc.so.6)
foreach(item ${INITRAMFS_PACKAGE_FILES})
  list(APPEND initramfs_files --package-file ${item})
endforeach()
add_custom_target(initramfs ALL
  COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tools/make_initramfs.py --out ${INITRAMFS}
          --tree ${PROJECT_SOURCE_DIR}/rootfs --busybox ${BUSYBOX} ${initramfs_files}
          $<$<BOOL:${ROOTFS_OVERLAY}>:--overlay> $<$<BOOL:${ROOTFS_OVERLAY}>:${ROOTFS_OVERLAY}>
  BYPRODUCTS ${INITRAMFS}
  DEPENDS user_programs busybox
  COMMENT "initramfs: rootfs/, busybox, user programs${ROOTFS_OVERLAY}"
  COMMAND_EXPAND_LISTS VERBATIM)
