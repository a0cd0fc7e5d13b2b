// Device nodes: a character device's (major, minor) picks the driver that
// makes its open file (Linux's chrdev table), and the memory devices of
// major 1 (mem(4), null(4), random(4)): null, zero, full, random, urandom.
#pragma once

#include <stdint.h>

#include "kernel/fs/file.hpp"
#include "lib/expected.hpp"

namespace fs {

// Makes the open file for minor `minor` of a registered major.
using CharacterDeviceOpen = lib::Expected<File*> (*)(const Path& path, Inode* inode, uint32_t flags, uint32_t minor);

// Registers minors [first_minor, first_minor + count) of `major`; EBUSY if
// any is taken.
lib::Expected<void> register_character_device(uint32_t major, uint32_t first_minor, uint32_t count,
                                              CharacterDeviceOpen open);
// open(2) of a character device node: ENXIO when no driver has its number.
lib::Expected<File*> open_character_device(const Path& path, Inode* inode, uint32_t flags);
// open(2) of a FIFO (pipe.cpp): waits for the other side (fifo(7)).
lib::Expected<File*> open_fifo(const Path& path, Inode* inode, uint32_t flags);

// The memory devices (major 1): registered once.
lib::Expected<void> register_memory_devices();

struct DeviceNode {
    const char* name;
    uint32_t mode;  // type | permissions
    uint32_t major, minor;
};
// The nodes devtmpfs starts with for the memory devices (null, zero, ...).
extern const DeviceNode kMemoryDeviceNodes[5];

}  // namespace fs
