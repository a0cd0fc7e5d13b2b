// The files exec reads, as the VFS gives them: the program, a script's
// interpreter, an ELF program's interpreter (ld.so). exec only reads them
// and maps them; opening (with the permission checks of open_exec: the
// file is regular, executable, on an exec mount) is the VFS's.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/fs/node.hpp"
#include "kernel/vm/address_space.hpp"
#include "lib/expected.hpp"
#include "lib/string_view.hpp"

namespace proc {

class ExecFile {
public:
    // Up to `size` bytes at `offset`; fewer at the end of the file.
    virtual lib::Expected<size_t> read(uint64_t offset, void* buffer, size_t size) = 0;
    // The file as mmap sees it (opened for reading and execution); a file
    // that cannot be mapped has no backing.
    virtual vm::FileMapping mapping() = 0;
    // ExecFiles::close's part for files it made (a VFS file frees itself;
    // a module stays).
    virtual void release() {}
    // Where the VFS found it (/proc/<pid>/exe); empty for a module.
    virtual fs::Path file_path() const { return {}; }

protected:
    ~ExecFile() = default;
};

class ExecFiles {
public:
    // Linux's open_exec(path): errno as the VFS gives it (ENOENT, EACCES,
    // ENOTDIR, ELOOP, ...).
    virtual lib::Expected<ExecFile*> open(lib::StringView path) = 0;
    virtual void close(ExecFile* file) = 0;

protected:
    ~ExecFiles() = default;
};

}  // namespace proc
