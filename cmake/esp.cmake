# build/esp: the EFI system partition as a directory tree, the interface the
# loader issue promises: EFI/BOOT/BOOTX64.EFI, boot/limine.conf, boot/kernel.
# build/disk.img: the same tree in a GPT disk image with one FAT ESP, for
# `make run`, USB sticks and other emulators (tools/make-disk-image.sh).
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

add_custom_command(OUTPUT ${ESP_DIR}/EFI/BOOT/BOOTX64.EFI ${ESP_DIR}/boot/kernel ${ESP_DIR}/boot/limine.conf
  COMMAND ${CMAKE_COMMAND} -E make_directory ${ESP_DIR}/EFI/BOOT ${ESP_DIR}/boot
  COMMAND ${CMAKE_COMMAND} -E copy ${ESP_LOADER} ${ESP_DIR}/EFI/BOOT/BOOTX64.EFI
  COMMAND ${CMAKE_COMMAND} -E copy ${KERNEL_ELF} ${ESP_DIR}/boot/kernel
  COMMAND ${CMAKE_COMMAND} -E copy ${ESP_CONF} ${ESP_DIR}/boot/limine.conf
  DEPENDS loader ${KERNEL_ELF} ${ESP_CONF} ${LIMINE_EFI}
  COMMENT "Assembling the ESP tree in ${ESP_DIR}")
add_custom_target(esp ALL DEPENDS ${ESP_DIR}/EFI/BOOT/BOOTX64.EFI ${ESP_DIR}/boot/kernel ${ESP_DIR}/boot/limine.conf)

add_custom_command(OUTPUT ${DISK_IMAGE}
  COMMAND ${PROJECT_SOURCE_DIR}/tools/make-disk-image.sh ${ESP_DIR} ${DISK_IMAGE}
  DEPENDS esp ${ESP_DIR}/EFI/BOOT/BOOTX64.EFI ${ESP_DIR}/boot/kernel ${ESP_DIR}/boot/limine.conf
          ${PROJECT_SOURCE_DIR}/tools/make-disk-image.sh
  COMMENT "Writing the GPT disk image ${DISK_IMAGE}")
add_custom_target(image ALL DEPENDS ${DISK_IMAGE})
