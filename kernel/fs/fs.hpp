// kernel/fs at boot (docs/fs.md "At boot"): the root file system, a tmpfs,
// with every initramfs module (a Limine module whose string is "initramfs"
// or whose path ends in ".cpio") unpacked into it in order, and a devtmpfs
// on /dev holding the memory devices (null, zero, full, random, urandom);
// tty devices add their nodes when they register. Problems in an archive
// are logged with their offset and the boot goes on with what was valid.
#pragma once

#include "kernel/fs/vfs.hpp"

namespace fs {

void init();
bool ready();

// A device node in /dev (devtmpfs), e.g. make_device_node("ttyS0", S_IFCHR | 0620, 4, 64).
lib::Expected<void> make_device_node(lib::StringView name, uint32_t mode, uint32_t major, uint32_t minor);

// devpts on /dev/pts (docs/fs.md "/dev"): the pty layer's slave nodes
// appear and go there. `devpts_node` is the Path of one (TIOCGPTPEER).
lib::Expected<void> make_devpts_node(lib::StringView name, uint32_t mode, uint32_t major, uint32_t minor);
void remove_devpts_node(lib::StringView name);
lib::Expected<Path> devpts_node(lib::StringView name);

// A file system of type `type` for mount(2): a new tmpfs, or the one
// devtmpfs, the one devpts and the one proc. ENODEV for other types.
lib::Expected<FileSystem*> make_file_system(lib::StringView type);

struct BootReport {
    size_t archives = 0;
    size_t entries = 0;
    size_t problems = 0;
    uint64_t bytes = 0;
};
const BootReport& boot_report();

}  // namespace fs
