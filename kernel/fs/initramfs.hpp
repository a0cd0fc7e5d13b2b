// Unpacking a cpio newc archive (the initramfs) into a directory, as
// Linux's init/initramfs.c does: directories, regular files with their
// data, hard links (later names linked to the first, data written into the
// shared inode), symlinks, device nodes, FIFOs and sockets; modes exactly as
// archived (no umask), owners, and modification times (directories' set
// last, after their entries). An existing non-directory is replaced; an
// existing directory keeps its entries and takes the archive's mode.
//
// Problems (a broken entry, a name that cannot be made) are reported with
// the byte offset and the walk goes on with what is valid
// (docs/cpio.md "What the reader checks").
#pragma once

#include <stddef.h>

#include "kernel/fs/cpio.hpp"
#include "kernel/fs/vfs.hpp"
#include "lib/span.hpp"

namespace fs {

struct UnpackReport {
    size_t entries = 0;    // made (or updated)
    size_t problems = 0;   // reported and skipped
    uint64_t bytes = 0;    // of file data written
    bool clean_end = false;
};

// Called for each problem; `error` is set when the VFS refused an entry.
using UnpackProblemSink = void (*)(void* context, const cpio::Problem& problem, const lib::Error* error);

// Unpacks into `directory` (names resolve below it; `context` gives the
// credentials). Fails only when memory for the bookkeeping runs out.
lib::Expected<UnpackReport> unpack_cpio(const Context& context, const Path& directory, lib::Bytes archive,
                                        UnpackProblemSink sink, void* sink_context);

}  // namespace fs
