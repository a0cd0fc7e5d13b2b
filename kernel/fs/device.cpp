// The character-device table and the memory devices (drivers/char/mem.c's
// behaviour: null(4), zero, full, random(4)).
#include "kernel/fs/device.hpp"

#if defined(HOST_TEST)
#include <cstdlib>
#else
#include "kernel/dev/random.hpp"
#endif

namespace fs {

namespace {

struct Driver {
    uint32_t major, first_minor, count;
    CharacterDeviceOpen open;
};
constexpr size_t kMaxDrivers = 32;
Driver g_drivers[kMaxDrivers];
size_t g_driver_count = 0;
ksync::SpinlockNoIrq g_drivers_lock;

// /dev/null: reads end at once, writes vanish (without touching the bytes).
class NullFile final : public File {
public:
    NullFile(const Path& path, Inode* inode, uint32_t flags) : File(path, inode, flags) {}
    lib::Expected<int64_t> seek(int64_t, int) override { return 0; }

protected:
    lib::Expected<size_t> read_at(IoBuffer&, uint64_t*) override { return size_t(0); }
    lib::Expected<size_t> write_at(IoBuffer& buffer, uint64_t*) override { return buffer.remaining(); }
};

// Fills `buffer` by chunks of `fill` output: EFAULT only if nothing went.
template <typename Fill>
lib::Expected<size_t> fill_buffer(IoBuffer& buffer, Fill fill) {
    uint8_t chunk[256];
    size_t total = 0;
    while (buffer.remaining()) {
        size_t n = buffer.remaining() < sizeof chunk ? buffer.remaining() : sizeof chunk;
        fill(chunk, n);
        size_t copied = buffer.copy_out(chunk, n);
        total += copied;
        if (copied < n) {
            if (total == 0) return fail(lib::Errno::kEFAULT, "buffer not writable");
            break;
        }
    }
    return total;
}

void zeros(uint8_t* chunk, size_t n) {
    for (size_t i = 0; i < n; ++i) chunk[i] = 0;
}

void random_bytes(uint8_t* chunk, size_t n) {
#if defined(HOST_TEST)
    for (size_t i = 0; i < n; ++i) chunk[i] = uint8_t(std::rand());
#else
    dev::random::fill(chunk, n);
#endif
}

// /dev/zero reads zeros; /dev/full too, and its writes fail with ENOSPC.
class ZeroFile final : public File {
public:
    ZeroFile(const Path& path, Inode* inode, uint32_t flags, bool full) : File(path, inode, flags), full_(full) {}
    lib::Expected<int64_t> seek(int64_t, int) override { return 0; }

protected:
    lib::Expected<size_t> read_at(IoBuffer& buffer, uint64_t*) override { return fill_buffer(buffer, zeros); }
    lib::Expected<size_t> write_at(IoBuffer& buffer, uint64_t*) override {
        if (full_) return fail(lib::Errno::kENOSPC, "/dev/full is full");
        return buffer.remaining();
    }

private:
    bool full_;
};

// /dev/random and /dev/urandom: the kernel's ChaCha20 stream (never blocks
// once seeded, as Linux since 5.6); writes are accepted and ignored (they
// would only mix in entropy). Only /dev/random has a poll (random_fops;
// urandom_fops has none): always readable and writable, File's default.
class RandomFile final : public File {
public:
    RandomFile(const Path& path, Inode* inode, uint32_t flags, bool pollable)
        : File(path, inode, flags), pollable_(pollable) {}
    lib::Expected<int64_t> seek(int64_t, int) override { return 0; }
    bool pollable() const override { return pollable_; }

protected:
    lib::Expected<size_t> read_at(IoBuffer& buffer, uint64_t*) override { return fill_buffer(buffer, random_bytes); }
    lib::Expected<size_t> write_at(IoBuffer& buffer, uint64_t*) override {
        uint8_t sink[256];
        size_t total = 0;
        while (buffer.remaining()) {
            size_t n = buffer.copy_in(sink, buffer.remaining() < sizeof sink ? buffer.remaining() : sizeof sink);
            total += n;
            if (buffer.faulted()) {
                if (total == 0) return fail(lib::Errno::kEFAULT, "buffer not readable");
                break;
            }
        }
        return total;
    }

private:
    bool pollable_;
};

lib::Expected<File*> open_memory_device(const Path& path, Inode* inode, uint32_t flags, uint32_t minor) {
    File* file = nullptr;
    switch (minor) {
    case 3: file = make<NullFile>(path, inode, flags); break;
    case 5: file = make<ZeroFile>(path, inode, flags, false); break;
    case 7: file = make<ZeroFile>(path, inode, flags, true); break;
    case 8:
    case 9: file = make<RandomFile>(path, inode, flags, minor == 8); break;
    default: return fail(lib::Errno::kENXIO, "no such memory device");
    }
    if (!file) return fail(lib::Errno::kENOMEM, "no memory for an open file");
    return file;
}

}  // namespace

const DeviceNode kMemoryDeviceNodes[5] = {
    {"null", uapi::kS_IFCHR | 0666, 1, 3},    {"zero", uapi::kS_IFCHR | 0666, 1, 5},
    {"full", uapi::kS_IFCHR | 0666, 1, 7},    {"random", uapi::kS_IFCHR | 0666, 1, 8},
    {"urandom", uapi::kS_IFCHR | 0666, 1, 9},
};

lib::Expected<void> register_character_device(uint32_t major, uint32_t first_minor, uint32_t count,
                                              CharacterDeviceOpen open) {
    ksync::Guard guard(g_drivers_lock);
    for (size_t i = 0; i < g_driver_count; ++i) {
        const Driver& d = g_drivers[i];
        if (d.major == major && first_minor < d.first_minor + d.count && d.first_minor < first_minor + count)
            return fail(lib::Errno::kEBUSY, "device numbers taken");
    }
    if (g_driver_count == kMaxDrivers) return fail(lib::Errno::kENOMEM, "device table full");
    g_drivers[g_driver_count++] = {major, first_minor, count, open};
    return {};
}

lib::Expected<File*> open_character_device(const Path& path, Inode* inode, uint32_t flags) {
    uint64_t rdev = inode->attributes().rdev;
    uint32_t major = uapi::dev_major(rdev), minor = uapi::dev_minor(rdev);
    CharacterDeviceOpen open = nullptr;
    {
        ksync::Guard guard(g_drivers_lock);
        for (size_t i = 0; i < g_driver_count; ++i) {
            const Driver& d = g_drivers[i];
            if (d.major == major && minor >= d.first_minor && minor - d.first_minor < d.count) open = d.open;
        }
    }
    if (!open) return fail(lib::Errno::kENXIO, "no driver for this device number");
    return open(path, inode, flags, minor);
}

lib::Expected<void> register_memory_devices() {
    static bool done = false;
    if (done) return {};
    TRY(register_character_device(1, 3, 7, open_memory_device));
    done = true;
    return {};
}

}  // namespace fs

