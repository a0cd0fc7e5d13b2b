// A reader of cpio "newc" archives (magic 070701, and 070702 whose header
// carries a checksum of the data), the format of Linux's initramfs: a 110-byte
// ASCII header of 13 eight-digit hex fields, the NUL-terminated name, padding
// to a multiple of 4, the data, padding to a multiple of 4; the entry named
// TRAILER!!! ends an archive, and archives may follow each other after NUL
// padding (docs/cpio.md restates the format and the rules below).
//
// Pure logic over a byte span, host-tested with archives made by the host's
// cpio(1) and a fuzz loop. Nothing is trusted: every field must be hex, every
// name and body must lie inside the archive, names must end in NUL, paths are
// normalised ("/a//./b/" is "a/b", "." is the root itself) and refused when
// they hold "..". A problem with one entry is reported and the reader goes on
// with the next; a problem that loses the reader's place (bad magic, a header
// or body running past the end) ends the walk. Every problem names the byte
// offset at fault.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/expected.hpp"
#include "lib/span.hpp"
#include "lib/string_view.hpp"

namespace fs::cpio {

// st_mode file type bits (S_IFMT and friends, as in Linux's stat.h).
constexpr uint32_t kTypeMask = 0170000;
constexpr uint32_t kSocket = 0140000, kSymlink = 0120000, kRegular = 0100000, kBlockDevice = 0060000,
                   kDirectory = 0040000, kCharDevice = 0020000, kFifo = 0010000;
constexpr uint32_t kPermissionMask = 07777;

// PATH_MAX: the longest name (with its NUL) and symlink target accepted.
constexpr size_t kPathMax = 4096;

struct Entry {
    // Normalised: no leading "/" or "./", no "." components, no empty
    // components, no trailing "/". Empty for the root directory itself.
    // Valid until the next call to Reader::next().
    lib::StringView path;
    uint32_t mode = 0;  // type bits | permissions
    uint32_t ino = 0;
    uint32_t uid = 0, gid = 0;
    uint32_t nlink = 0;
    uint32_t mtime = 0;  // seconds since the epoch
    uint32_t dev_major = 0, dev_minor = 0;    // the device the file was on (hard links share it)
    uint32_t rdev_major = 0, rdev_minor = 0;  // for device nodes: the device they name
    lib::Bytes data;  // file contents, or the symlink target (not NUL-terminated)
    uint64_t offset = 0;  // of its header in the archive

    uint32_t type() const { return mode & kTypeMask; }
    uint32_t permissions() const { return mode & kPermissionMask; }
    // A regular file that may share its inode with other entries of the same
    // (dev_major, dev_minor, ino): cpio writes the data with the last of them.
    bool may_be_hard_link() const { return type() == kRegular && nlink >= 2; }
};

struct Problem {
    uint64_t offset = 0;          // byte offset of the fault in the archive
    const char* message = "";     // static text: what is wrong there
    lib::StringView name;         // the entry's raw name when known, else empty
};

class Reader {
public:
    explicit Reader(lib::Bytes archive) : archive_(archive) {}

    enum class Result : uint8_t {
        kEntry,    // `entry` holds the next valid entry
        kProblem,  // `problem` says what was wrong; call next() again to go on
        kEnd,      // no more entries (the last archive's trailer, the end of the data, or a fatal problem)
    };
    Result next(Entry& entry, Problem& problem);

    // Whether the walk ended at a trailer with only NUL padding after it
    // (meaningful once next() returned kEnd).
    bool ended_cleanly() const { return state_ == State::kDone && clean_end_; }

private:
    enum class State : uint8_t { kHeader, kAfterTrailer, kDone };

    Result fail(Problem& problem, uint64_t offset, const char* message, lib::StringView name = {});
    Result stop(Problem& problem, uint64_t offset, const char* message, lib::StringView name = {});
    lib::Expected<void> normalise(lib::StringView raw);

    lib::Bytes archive_;
    uint64_t position_ = 0;
    State state_ = State::kHeader;
    bool clean_end_ = false;
    char path_[kPathMax] = {};
    size_t path_length_ = 0;
};

}  // namespace fs::cpio
