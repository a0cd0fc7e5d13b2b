// The file systems at boot (see fs.hpp). Kernel only.
#include "kernel/fs/fs.hpp"

#include "kernel/boot/boot_info.hpp"
#include "kernel/console/log.hpp"
#include "kernel/debug/panic.hpp"
#include "kernel/fs/device.hpp"
#include "kernel/fs/initramfs.hpp"
#include "kernel/fs/procfs.hpp"
#include "kernel/fs/tmpfs.hpp"
#include "kernel/time/time.hpp"
#include "kernel/vm/kernel_services.hpp"

namespace fs {

namespace {

bool g_ready = false;
BootReport g_report;
Path g_dev;
FileSystem* g_devtmpfs = nullptr;
Path g_devpts;  // the root of devpts
FileSystem* g_devpts_fs = nullptr;
FileSystem* g_proc = nullptr;

// The types mount(2) makes, in /proc/filesystems's order and layout.
constexpr const char* kFileSystemTypes[] = {"tmpfs", "devtmpfs", "proc", "devpts"};

lib::Expected<void> filesystems_text(int32_t, procfs::Text& out) {
    for (const char* type : kFileSystemTypes) out.format("nodev\t{}\n", type);
    return {};
}

// CLOCK_REALTIME (ktime: the loader's boot date, advanced by the monotonic
// clock, moved by clock_settime).
uapi::Timespec wall_clock() {
    uint64_t ns = ktime::realtime_ns();
    return {int64_t(ns / 1000000000), int64_t(ns % 1000000000)};
}

bool is_initramfs(const boot::Module& module) {
    return lib::StringView(module.cmdline) == "initramfs" || lib::StringView(module.path).ends_with(".cpio");
}

void log_problem(void* archive, const cpio::Problem& problem, const lib::Error* error) {
    klog::warn("initramfs {}: offset {}: {}{}{} ({})", static_cast<const char*>(archive), problem.offset,
               problem.message, error ? " " : "", error ? lib::errno_name(error->code) : "", problem.name);
}

}  // namespace

bool ready() { return g_ready; }
const BootReport& boot_report() { return g_report; }

lib::Expected<void> make_device_node(lib::StringView name, uint32_t mode, uint32_t major, uint32_t minor) {
    if (!g_dev) return fail(lib::Errno::kENOENT, "no /dev yet");
    Context context = TRY(root_context());
    context.umask = 0;
    return make_node(context, g_dev, name, mode, uapi::make_dev(major, minor));
}

lib::Expected<void> make_devpts_node(lib::StringView name, uint32_t mode, uint32_t major, uint32_t minor) {
    if (!g_devpts) return fail(lib::Errno::kENOENT, "no /dev/pts");
    Context context = TRY(root_context());
    context.umask = 0;
    return make_node(context, g_devpts, name, mode, uapi::make_dev(major, minor));
}

void remove_devpts_node(lib::StringView name) {
    if (!g_devpts) return;
    auto context = root_context();
    if (context) (void)unlink(*context, g_devpts, name);
}

lib::Expected<Path> devpts_node(lib::StringView name) {
    if (!g_devpts) return fail(lib::Errno::kENOENT, "no /dev/pts");
    Context context = TRY(root_context());
    return lookup(context, g_devpts, name, 0);
}

lib::Expected<FileSystem*> make_file_system(lib::StringView type) {
    // devtmpfs, devpts and proc are one instance each, wherever they are
    // mounted (a second devtmpfs mount shows the same device nodes, as on
    // Linux; Linux's devpts without newinstance, as it was before 4.7).
    if (type == "devtmpfs" && g_devtmpfs) return g_devtmpfs;
    if (type == "devpts" && g_devpts_fs) return g_devpts_fs;
    if (type == "proc" && g_proc) return g_proc;
    if (type == "tmpfs") {
        Tmpfs* made = TRY(Tmpfs::make(*vm::kernel_services().frames, "tmpfs", 01777));
        return static_cast<FileSystem*>(made);
    }
    return fail(lib::Errno::kENODEV, "unknown file system type");
}

void init() {
    set_time_source(wall_clock);
    vm::FrameSource& frames = *vm::kernel_services().frames;
    auto rootfs = Tmpfs::make(frames, "rootfs", 0755);
    if (!rootfs) PANIC("fs: no root file system: {}", rootfs.error().message);
    auto root = Mount::make_root(**rootfs, 0);
    if (!root) PANIC("fs: cannot mount the root: {}", root.error().message);
    set_root_mount(*root);
    Context context = *root_context();
    context.umask = 0;

    const boot::BootInfo& info = boot::info();
    for (size_t i = 0; i < info.module_count; ++i) {
        const boot::Module& module = info.modules[i];
        if (!is_initramfs(module)) continue;
        auto report = unpack_cpio(context, context.root, lib::Bytes(module.address, module.size), log_problem,
                                  const_cast<char*>(module.path));
        if (!report) {
            klog::error("initramfs {}: {}", module.path, report.error().message);
            continue;
        }
        ++g_report.archives;
        g_report.entries += report->entries;
        g_report.problems += report->problems;
        g_report.bytes += report->bytes;
        klog::info("initramfs {}: {} entries, {} bytes of files{}", module.path, report->entries, report->bytes,
                   report->problems ? ", some entries skipped" : "");
    }

    // devtmpfs on /dev (made if the initramfs has none).
    if (auto made = make_directory(context, context.root, "dev", 0755); !made && made.error().code != lib::Errno::kEEXIST)
        klog::warn("fs: cannot make /dev: {}", made.error().message);
    auto devtmpfs = Tmpfs::make(frames, "devtmpfs", 0755);
    if (!devtmpfs) PANIC("fs: no devtmpfs: {}", devtmpfs.error().message);
    g_devtmpfs = *devtmpfs;
    if (auto mounted = mount(context, **devtmpfs, context.root, "dev", kMountNoSuid); !mounted) {
        klog::warn("fs: cannot mount devtmpfs on /dev: {}", mounted.error().message);
    } else {
        auto dev = lookup(context, context.root, "dev", kFollow | kDirectory);
        if (dev) g_dev = *dev;
    }
    // devpts on /dev/pts, as Linux systems mount it at boot: a tmpfs of
    // its own, where the pty layer makes and removes the slave nodes.
    if (auto devpts = Tmpfs::make(frames, "devpts", 0755); !devpts) {
        klog::warn("fs: no devpts: {}", devpts.error().message);
    } else if (g_dev) {
        g_devpts_fs = *devpts;
        if (auto made = make_directory(context, g_dev, "pts", 0755); !made && made.error().code != lib::Errno::kEEXIST)
            klog::warn("fs: cannot make /dev/pts: {}", made.error().message);
        if (auto mounted = mount(context, **devpts, g_dev, "pts", kMountNoSuid | kMountNoExec); !mounted) {
            klog::warn("fs: cannot mount devpts on /dev/pts: {}", mounted.error().message);
        } else if (auto pts = lookup(context, g_dev, "pts", kFollow | kDirectory)) {
            g_devpts = *pts;
        }
    }
    if (auto registered = register_memory_devices(); !registered)
        klog::warn("fs: memory devices: {}", registered.error().message);
    for (const DeviceNode& node : kMemoryDeviceNodes)
        if (auto made = make_device_node(node.name, node.mode, node.major, node.minor); !made)
            klog::warn("fs: /dev/{}: {}", node.name, made.error().message);
    // /proc (docs/fs.md "/proc"): kernel/fs's own files; the process layer
    // adds the rest when it starts.
    procfs::add_file(procfs::Place::kRoot, "mounts", 0444, procfs::mounts_text);
    procfs::add_file(procfs::Place::kRoot, "filesystems", 0444, filesystems_text);
    procfs::add_file(procfs::Place::kProcess, "mountinfo", 0444, procfs::mountinfo_text);
    if (auto made = make_directory(context, context.root, "proc", 0555); !made && made.error().code != lib::Errno::kEEXIST)
        klog::warn("fs: cannot make /proc: {}", made.error().message);
    if (auto proc = procfs::make(); !proc) {
        klog::warn("fs: no /proc: {}", proc.error().message);
    } else {
        g_proc = *proc;
        if (auto mounted = mount(context, *g_proc, context.root, "proc", kMountNoSuid | kMountNoDev | kMountNoExec);
            !mounted)
            klog::warn("fs: cannot mount /proc: {}", mounted.error().message);
    }
    g_ready = true;
    klog::info("fs: root tmpfs with {} initramfs archive(s), devtmpfs on /dev, proc on /proc", g_report.archives);
}

}  // namespace fs
