// The interim /dev/console (console_device.hpp).
#include "kernel/proc/console_device.hpp"

#include "kernel/abi/linux_fs.hpp"
#include "kernel/console/console.hpp"
#include "kernel/console/log.hpp"
#include "kernel/fs/device.hpp"
#include "kernel/fs/fs.hpp"

namespace proc {
namespace {

constexpr uint32_t kConsoleMajor = 5;  // TTYAUX_MAJOR
constexpr uint32_t kConsoleMinor = 1;

class ConsoleFile final : public fs::File {
public:
    ConsoleFile(const fs::Path& path, fs::Inode* inode, uint32_t flags) : File(path, inode, flags) {}

protected:
    lib::Expected<size_t> read_at(fs::IoBuffer&, uint64_t*) override { return size_t(0); }
    lib::Expected<size_t> write_at(fs::IoBuffer& buffer, uint64_t*) override {
        char chunk[256];
        size_t total = 0;
        while (buffer.remaining()) {
            size_t n = buffer.copy_in(chunk, buffer.remaining() < sizeof chunk ? buffer.remaining() : sizeof chunk);
            if (n == 0) break;
            console::write(lib::StringView(chunk, n));
            total += n;
        }
        return total;
    }
    bool seekable() const override { return false; }
};

lib::Expected<fs::File*> open_console(const fs::Path& path, fs::Inode* inode, uint32_t flags, uint32_t) {
    fs::File* file = fs::make<ConsoleFile>(path, inode, flags);
    if (!file) return lib::Error::make(lib::Errno::kENOMEM, "no memory for an open file");
    return file;
}

}  // namespace

void ensure_console_device() {
    auto registered = fs::register_character_device(kConsoleMajor, kConsoleMinor, 1, open_console);
    if (!registered && registered.error().code != lib::Errno::kEBUSY)
        klog::warn("proc: /dev/console: {}", registered.error().message);
    auto made = fs::make_device_node("console", uapi::kS_IFCHR | 0600, kConsoleMajor, kConsoleMinor);
    if (!made && made.error().code != lib::Errno::kEEXIST)
        klog::warn("proc: /dev/console node: {}", made.error().message);
}

}  // namespace proc
