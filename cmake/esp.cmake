# build/esp: the EFI system partition as a directory tree, the interface the
# loader issue promises: EFI/BOOT/BOOTX64.EFI, boot/limine.conf, boot/kernel;
# and boot/initramfs.cpio, the module limine.conf hands the kernel.
# build/disk.img: the same tree in a GPT disk image with one FAT ESP, for
# `make run`, USB sticks and other emulators (tools/make-disk-image.sh).
# Both hold the release kernel; esp-test/ and disk-test.img the checked one.
set(ESP_DIR ${CMAKE_BINARY_DIR}/esp)
set(DISK_IMAGE ${CMAKE_BINARY_DIR}/disk.img)
set(ESP_CONF ${PROJECT_SOURCE_DIR}/boot/limine.conf)
# Boot through a real Limine 8.x instead of our loader: point LIMINE_EFI at
# its BOOTX64.EFI (make LIMINE_EFI=/path/to/BOOTX64.EFI). Everything else in
# the ESP, and every test, stays the same.
set(LIMINE_EFI "" CACHE FILEPATH "Use this BOOTX64.EFI (e.g. Limine 8.x) in the ESP instead of our loader")
if(LIMINE_EFI)
  if(NOT EXISTS ${LIMINE_EFI})
    message(FATAL_ERROR "LIMINE_EFI=${LIMINE_EFI} does not exist")
  endif()
  set(ESP_LOADER ${LIMINE_EFI})
  message(STATUS "ESP boots through ${LIMINE_EFI}")
else()
  set(ESP_LOADER $<TARGET_FILE:loader>)
endif()

# add_esp(<target> <dir> <image> <kernel elf>): the ESP tree and its disk image.
function(add_esp target dir image kernel_elf)
  set(files ${dir}/EFI/BOOT/BOOTX64.EFI ${dir}/boot/kernel ${dir}/boot/limine.conf ${dir}/boot/initramfs.cpio)
  add_custom_command(OUTPUT ${files}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${dir}/EFI/BOOT ${dir}/boot
    COMMAND ${CMAKE_COMMAND} -E copy ${ESP_LOADER} ${dir}/EFI/BOOT/BOOTX64.EFI
    # Without its DWARF (8 of the checked kernel's 9.5 MB): the loader reads
    # the whole file into memory, and on the 64 MiB machine (scenario mm_64m)
    # OVMF leaves too little for it; every boot also reads less. The symbol
    # table stays (the kernel's backtraces name functions from it); make
    # debug and the scenarios' hang reports read the build's full ELF.
    COMMAND ${CMAKE_OBJCOPY} --strip-debug ${kernel_elf} ${dir}/boot/kernel
    COMMAND ${CMAKE_COMMAND} -E copy ${ESP_CONF} ${dir}/boot/limine.conf
    COMMAND ${CMAKE_COMMAND} -E copy ${INITRAMFS} ${dir}/boot/initramfs.cpio
    DEPENDS loader ${kernel_elf} ${ESP_CONF} ${LIMINE_EFI} initramfs ${INITRAMFS}
    COMMENT "Assembling the ESP tree in ${dir}")
  add_custom_target(${target} ALL DEPENDS ${files})
  add_custom_command(OUTPUT ${image}
    COMMAND ${PROJECT_SOURCE_DIR}/tools/make-disk-image.sh ${dir} ${image}
    DEPENDS ${target} ${files} ${PROJECT_SOURCE_DIR}/tools/make-disk-image.sh
    COMMENT "Writing the GPT disk image ${image}")
  add_custom_target(${target}_image ALL DEPENDS ${image})
endfunction()

# build/esp + build/disk.img: the release kernel (make run, USB sticks);
# build/esp-test + build/disk-test.img: the checked kernel (make test, make
# run KERNEL=checked).
add_esp(esp ${ESP_DIR} ${DISK_IMAGE} ${KERNEL_ELF})
add_esp(esp_test ${CMAKE_BINARY_DIR}/esp-test ${CMAKE_BINARY_DIR}/disk-test.img ${KERNEL_CHECKED_ELF})
