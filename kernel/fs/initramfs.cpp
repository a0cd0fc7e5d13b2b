// The initramfs unpacker (see initramfs.hpp).
#include "kernel/fs/initramfs.hpp"

#include "lib/memory.hpp"

namespace fs {

namespace {

// A growable array of plain values through fs::allocate.
template <typename T>
class Vector {
public:
    ~Vector() {
        for (size_t i = 0; i < size_; ++i) items_[i].~T();
        release(items_);
    }
    lib::Expected<void> push(T value) {
        if (size_ == capacity_) {
            size_t capacity = capacity_ ? capacity_ * 2 : 16;
            T* items = static_cast<T*>(allocate(sizeof(T) * capacity));
            if (!items) return fail(lib::Errno::kENOMEM, "no memory for initramfs bookkeeping");
            for (size_t i = 0; i < size_; ++i) {
                new (&items[i]) T(lib::move(items_[i]));
                items_[i].~T();
            }
            release(items_);
            items_ = items;
            capacity_ = capacity;
        }
        new (&items_[size_++]) T(lib::move(value));
        return {};
    }
    size_t size() const { return size_; }
    T& operator[](size_t i) { return items_[i]; }

private:
    T* items_ = nullptr;
    size_t size_ = 0, capacity_ = 0;
};

struct HardLink {
    uint32_t dev_major, dev_minor, ino;
    Path first;
};

struct DirectoryTime {
    Path directory;
    uint32_t mtime;
};

lib::Expected<void> write_all(Inode& inode, lib::Bytes data) {
    IoBuffer::Segment segment;
    IoBuffer buffer = IoBuffer::kernel_one(segment, const_cast<uint8_t*>(data.data()), data.size());
    uint64_t offset = 0;
    while (buffer.remaining()) {
        size_t n = TRY(inode.write(&offset, true, buffer, buffer.remaining()));
        if (n == 0) return fail(lib::Errno::kEIO, "short write while unpacking");
    }
    return {};
}

void set_mtime(Inode& inode, uint32_t mtime) {
    uapi::Timespec t{int64_t(mtime), 0};
    inode.set_times(nullptr, &t);
}

// Applies the archive's owner and mode to what `path` names.
void apply_attributes(Inode& inode, const cpio::Entry& entry) {
    inode.set_owner(entry.uid, entry.gid);
    if (!inode.is_symlink()) inode.set_mode_bits(entry.permissions());
}

}  // namespace

lib::Expected<UnpackReport> unpack_cpio(const Context& outer, const Path& directory, lib::Bytes archive,
                                        UnpackProblemSink sink, void* sink_context) {
    // Names resolve below `directory`, also for absolute symlinks met on
    // the way (the archive's "/" is the directory); no umask applies.
    Context context;
    context.root = directory;
    context.cwd = directory;
    context.umask = 0;
    context.credentials = outer.credentials;

    UnpackReport report;
    Vector<HardLink> links;
    Vector<DirectoryTime> directory_times;
    cpio::Reader reader(archive);
    cpio::Entry entry;
    cpio::Problem problem;
    auto report_error = [&](const lib::Error& error) {
        cpio::Problem p;
        p.offset = entry.offset;
        p.message = error.message;
        p.name = entry.path;
        ++report.problems;
        if (sink) sink(sink_context, p, &error);
    };
    for (;;) {
        cpio::Reader::Result result = reader.next(entry, problem);
        if (result == cpio::Reader::Result::kEnd) break;
        if (result == cpio::Reader::Result::kProblem) {
            ++report.problems;
            if (sink) sink(sink_context, problem, nullptr);
            continue;
        }
        const Path& at = directory;
        lib::StringView name = entry.path;
        uint32_t type = entry.type();
        if (name.empty()) {  // "." : the directory itself
            if (type == cpio::kDirectory) {
                apply_attributes(*directory.inode(), entry);
                TRY(directory_times.push({directory, entry.mtime}));
                ++report.entries;
            }
            continue;
        }
        // An existing entry: directories stay (and take the new mode);
        // anything else is replaced (Linux's clean_path).
        auto existing = lookup(context, at, name, 0);
        if (existing) {
            bool both_directories = existing->inode()->is_directory() && type == cpio::kDirectory;
            if (both_directories) {
                apply_attributes(*existing->inode(), entry);
                TRY(directory_times.push({lib::move(*existing), entry.mtime}));
                ++report.entries;
                continue;
            }
            auto removed = existing->inode()->is_directory() ? remove_directory(context, at, name)
                                                             : unlink(context, at, name);
            if (!removed) {
                report_error(removed.error());
                continue;
            }
        }
        lib::Expected<void> made{};
        switch (type) {
        case cpio::kDirectory: made = make_directory(context, at, name, entry.permissions()); break;
        case cpio::kSymlink: {
            lib::StringView target(reinterpret_cast<const char*>(entry.data.data()), entry.data.size());
            made = make_symlink(context, target, at, name);
            break;
        }
        case cpio::kRegular: {
            if (entry.may_be_hard_link()) {
                bool linked = false;
                for (size_t i = 0; i < links.size(); ++i) {
                    HardLink& l = links[i];
                    if (l.dev_major == entry.dev_major && l.dev_minor == entry.dev_minor && l.ino == entry.ino) {
                        Path none;
                        made = make_link(context, l.first, "", at, name, uapi::kAT_EMPTY_PATH);
                        if (made && entry.data.size()) made = write_all(*l.first.inode(), entry.data);
                        linked = true;
                        break;
                    }
                }
                if (linked) break;
            }
            made = make_node(context, at, name, uapi::kS_IFREG | entry.permissions(), 0);
            if (!made) break;
            auto file = lookup(context, at, name, 0);
            if (!file) {
                made = file.error();
                break;
            }
            if (entry.data.size()) made = write_all(*file->inode(), entry.data);
            if (made && entry.may_be_hard_link())
                TRY(links.push({entry.dev_major, entry.dev_minor, entry.ino, lib::move(*file)}));
            break;
        }
        case cpio::kCharDevice:
        case cpio::kBlockDevice:
            made = make_node(context, at, name, type | entry.permissions(),
                             uapi::make_dev(entry.rdev_major, entry.rdev_minor));
            break;
        case cpio::kFifo:
        case cpio::kSocket: made = make_node(context, at, name, type | entry.permissions(), 0); break;
        default: made = fail(lib::Errno::kEINVAL, "unknown file type"); break;
        }
        if (!made) {
            report_error(made.error());
            continue;
        }
        auto done = lookup(context, at, name, 0);
        if (!done) {
            report_error(done.error());
            continue;
        }
        apply_attributes(*done->inode(), entry);
        if (type == cpio::kDirectory) TRY(directory_times.push({lib::move(*done), entry.mtime}));
        else set_mtime(*done->inode(), entry.mtime);
        if (type == cpio::kRegular) report.bytes += entry.data.size();
        ++report.entries;
    }
    // Directories' times last: their entries' creation changed them.
    for (size_t i = 0; i < directory_times.size(); ++i)
        set_mtime(*directory_times[i].directory.inode(), directory_times[i].mtime);
    report.clean_end = reader.ended_cleanly();
    return report;
}

}  // namespace fs
