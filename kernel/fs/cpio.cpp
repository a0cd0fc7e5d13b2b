// The cpio newc reader; see cpio.hpp and docs/cpio.md.
#include "kernel/fs/cpio.hpp"

#include "lib/utility.hpp"

namespace fs::cpio {
namespace {

constexpr size_t kHeaderSize = 110;
constexpr size_t kMagicSize = 6;
constexpr size_t kFieldSize = 8;
constexpr size_t kFieldCount = 13;
// Header fields, in order.
enum Field : size_t {
    kIno, kMode, kUid, kGid, kNlink, kMtime, kFileSize, kDevMajor, kDevMinor, kRdevMajor, kRdevMinor, kNameSize,
    kCheck,
};
constexpr lib::StringView kTrailer = "TRAILER!!!";

constexpr uint64_t field_offset(size_t field) {
    return kMagicSize + field * kFieldSize;
}

int hex_digit(uint8_t c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool same(lib::Bytes bytes, lib::StringView text) {
    if (bytes.size() != text.size()) return false;
    for (size_t i = 0; i < text.size(); ++i)
        if (bytes[i] != uint8_t(text[i])) return false;
    return true;
}

}  // namespace

Reader::Result Reader::fail(Problem& problem, uint64_t offset, const char* message, lib::StringView name) {
    problem = Problem{offset, message, name};
    return Result::kProblem;
}

Reader::Result Reader::stop(Problem& problem, uint64_t offset, const char* message, lib::StringView name) {
    state_ = State::kDone;
    return fail(problem, offset, message, name);
}

// "/a//./b/" -> "a/b"; "." and "/" -> "" (the root). ".." is refused rather
// than resolved: resolving it by the text alone could disagree with the
// file system (a symlink before it), and an initramfs has no need for it.
lib::Expected<void> Reader::normalise(lib::StringView raw) {
    path_length_ = 0;
    size_t start = 0;
    while (start <= raw.size()) {
        size_t end = raw.find('/', start);
        if (end == lib::StringView::npos) end = raw.size();
        const lib::StringView component = raw.substr(start, end - start);
        start = end + 1;
        if (component.empty() || component == ".") continue;
        if (component == "..") return lib::Error::make(lib::Errno::kEINVAL, "name has a \"..\" component");
        const size_t needed = path_length_ + (path_length_ ? 1 : 0) + component.size();
        if (needed >= kPathMax) return lib::Error::make(lib::Errno::kENAMETOOLONG, "name longer than PATH_MAX");
        if (path_length_) path_[path_length_++] = '/';
        for (char c : component) path_[path_length_++] = c;
    }
    return {};
}

Reader::Result Reader::next(Entry& entry, Problem& problem) {
    const uint64_t size = archive_.size();
    for (;;) {
        if (state_ == State::kDone) return Result::kEnd;
        if (state_ == State::kAfterTrailer) {
            // NUL padding, then the end or another archive on a 4-byte boundary.
            while (position_ < size && archive_[position_] == 0) ++position_;
            if (position_ == size) {
                state_ = State::kDone;
                clean_end_ = true;
                return Result::kEnd;
            }
            if (position_ % 4 != 0) return stop(problem, position_, "data after a trailer is not 4-byte aligned");
            state_ = State::kHeader;
        }

        const uint64_t start = position_;
        if (start >= size) return stop(problem, size, "the archive ends without a TRAILER!!! entry");
        if (size - start < kHeaderSize) return stop(problem, start, "truncated header");
        const lib::Bytes header = archive_.subspan(start, kHeaderSize);
        const lib::Bytes magic = header.subspan(0, kMagicSize);
        const bool checksummed = same(magic, "070702");
        if (!checksummed && !same(magic, "070701")) {
            if (same(magic, "070707")) return stop(problem, start, "old (odc) cpio format; expected newc (070701)");
            return stop(problem, start, "no cpio newc magic (070701 or 070702)");
        }
        uint32_t fields[kFieldCount];
        for (size_t f = 0; f < kFieldCount; ++f) {
            uint32_t value = 0;
            for (size_t i = 0; i < kFieldSize; ++i) {
                const int digit = hex_digit(header[field_offset(f) + i]);
                if (digit < 0) return stop(problem, start + field_offset(f) + i, "header field is not hexadecimal");
                value = value << 4 | uint32_t(digit);
            }
            fields[f] = value;
        }

        // Where the name and the data are; both must lie inside the archive.
        const uint64_t name_start = start + kHeaderSize;
        const uint64_t name_size = fields[kNameSize];
        if (name_size > size - name_start)
            return stop(problem, start + field_offset(kNameSize), "name runs past the end of the archive");
        const uint64_t data_start = lib::align_up(name_start + name_size, 4);
        const uint64_t data_size = fields[kFileSize];
        if (data_start > size || data_size > size - data_start)
            return stop(problem, start + field_offset(kFileSize), "data runs past the end of the archive");
        position_ = lib::min<uint64_t>(lib::align_up(data_start + data_size, 4), size);

        // From here on the next header's place is known: a bad entry is
        // skipped and the walk goes on.
        const lib::Bytes name_bytes = archive_.subspan(name_start, name_size);
        const lib::Bytes data = archive_.subspan(data_start, data_size);
        if (name_size == 0) return fail(problem, start + field_offset(kNameSize), "empty name (namesize 0)");
        const lib::StringView raw_name(reinterpret_cast<const char*>(name_bytes.data()), name_size - 1);
        if (name_size > kPathMax) return fail(problem, name_start, "name longer than PATH_MAX");
        if (name_bytes[name_size - 1] != 0) return fail(problem, name_start + name_size - 1, "name is not NUL-terminated");
        const size_t inner_nul = raw_name.find('\0');
        if (inner_nul != lib::StringView::npos) return fail(problem, name_start + inner_nul, "NUL inside the name");
        if (raw_name == kTrailer) {
            state_ = State::kAfterTrailer;
            continue;
        }
        if (raw_name.empty()) return fail(problem, name_start, "empty name");

        const uint32_t mode = fields[kMode];
        if (checksummed && (mode & kTypeMask) == kRegular) {
            // 070702: the sum of a regular file's data bytes, modulo 2^32
            // (cpio(1) leaves it 0 for symlinks, and Linux checks files only).
            uint32_t sum = 0;
            for (uint8_t byte : data) sum += byte;
            if (sum != fields[kCheck]) return fail(problem, data_start, "data checksum mismatch", raw_name);
        }
        switch (mode & kTypeMask) {
            case kRegular: break;
            case kSymlink: {
                if (data_size == 0) return fail(problem, data_start, "symlink without a target", raw_name);
                if (data_size >= kPathMax) return fail(problem, data_start, "symlink target longer than PATH_MAX", raw_name);
                for (size_t i = 0; i < data_size; ++i)
                    if (data[i] == 0) return fail(problem, data_start + i, "NUL inside a symlink target", raw_name);
                break;
            }
            case kDirectory:
            case kCharDevice:
            case kBlockDevice:
            case kFifo:
            case kSocket:
                if (data_size != 0)
                    return fail(problem, data_start, "data on a directory, device node, FIFO or socket", raw_name);
                break;
            default: return fail(problem, start + field_offset(kMode), "unknown file type in mode", raw_name);
        }
        if (auto normalised = normalise(raw_name); !normalised)
            return fail(problem, name_start, normalised.error().message, raw_name);
        if (path_length_ == 0 && (mode & kTypeMask) != kDirectory)
            return fail(problem, name_start, "the root can only be a directory", raw_name);

        entry = Entry{};
        entry.path = lib::StringView(path_, path_length_);
        entry.mode = mode;
        entry.ino = fields[kIno];
        entry.uid = fields[kUid];
        entry.gid = fields[kGid];
        entry.nlink = fields[kNlink];
        entry.mtime = fields[kMtime];
        entry.dev_major = fields[kDevMajor];
        entry.dev_minor = fields[kDevMinor];
        entry.rdev_major = fields[kRdevMajor];
        entry.rdev_minor = fields[kRdevMinor];
        entry.data = data;
        entry.offset = start;
        return Result::kEntry;
    }
}

}  // namespace fs::cpio
