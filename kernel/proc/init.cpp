// PID 1 (init.hpp).
#include "kernel/proc/init.hpp"

#include "kernel/abi/linux_fs.hpp"
#include "kernel/acpi/acpi.hpp"
#include "kernel/console/log.hpp"
#include "kernel/fs/vfs.hpp"
#include "kernel/proc/console_device.hpp"
#include "kernel/proc/process.hpp"
#include "kernel/proc/program.hpp"
#include "kernel/sched/sched.hpp"
#include "lib/format.hpp"

namespace proc {
namespace {

constexpr size_t kMaxInitArguments = 32;
char g_init_path[128];

// Where Linux's kernel_init looks when the command line names no init
// (init/main.c, after init=): the first that exists runs.
constexpr const char* kDefaultInits[] = {"/sbin/init", "/etc/init", "/bin/init", "/bin/sh"};

// PID 1 ended: say how, as Linux does before its panic, and power off.
void init_exited(Process& init, int status) {
    klog::info("init: {} (pid {}) {}; powering off", g_init_path, init.pid, describe_wait_status(status).text);
    sched::log_statistics();
    auto off = acpi::power_off();
    klog::error("init: power off failed: {}", off.error().message);
}

}  // namespace

WaitStatusText describe_wait_status(int status) {
    WaitStatusText out{};
    if ((status & 0x7f) == 0)
        lib::format(out.text, sizeof out.text, "exited with status {}", (status >> 8) & 0xff);
    else
        lib::format(out.text, sizeof out.text, "killed by signal {}", status & 0x7f);
    return out;
}

void choose_init(const lib::CommandLine& cmdline) {
    lib::StringView chosen = cmdline.value_or("init", "");
    if (chosen.empty()) chosen = cmdline.value_or("rdinit", "");
    if (chosen.empty()) {
        // Linux's defaults: the first that exists (a symbolic link, as
        // busybox's /sbin/init, is followed).
        auto context = fs::root_context();
        for (const char* candidate : kDefaultInits) {
            if (context && fs::lookup(*context, context->root, candidate, fs::kFollow)) {
                chosen = candidate;
                break;
            }
        }
        if (chosen.empty()) {
            // Unlike Linux's "No working init found" panic: a boot without
            // the initramfs (most scenarios) stays up and echoes the keyboard.
            klog::info("init: no init= and no /sbin/init, /etc/init, /bin/init or /bin/sh: no user space");
            g_init_path[0] = '\0';
            return;
        }
    }
    size_t n = chosen.size() < sizeof g_init_path - 1 ? chosen.size() : sizeof g_init_path - 1;
    __builtin_memcpy(g_init_path, chosen.data(), n);
    g_init_path[n] = '\0';
}

void run_init(const lib::CommandLine& cmdline) {
    if (g_init_path[0] == '\0') return;
    lib::StringView path(g_init_path);

    // argv[0] is the path; the words after "--" follow, unchanged.
    lib::StringView argv[kMaxInitArguments + 1];
    size_t argc = 0;
    argv[argc++] = path;
    bool after_dashes = false;
    cmdline.for_each([&](lib::StringView key, lib::StringView value) {
        if (!after_dashes) {
            after_dashes = key == lib::StringView("--") && value.empty();
            return;
        }
        if (argc > kMaxInitArguments) return;
        size_t length = value.empty() ? key.size() : size_t(value.data() + value.size() - key.data());
        argv[argc++] = lib::StringView(key.data(), length);
    });
    // Linux's default environment for init (init/main.c: envp_init).
    lib::StringView envp[] = {"HOME=/", "TERM=linux"};

    auto spawned = spawn_module(path, lib::Span<const lib::StringView>(argv, argc),
                                lib::Span<const lib::StringView>(envp, 2), nullptr);
    if (!spawned) {
        klog::error("init: cannot start {}: {} ({})", path, spawned.error().message,
                    lib::errno_name(spawned.error().code));
        return;
    }
    Process* process = *spawned;
    // Descriptors 0, 1, 2: /dev/console, as Linux opens it for init.
    if (fs::FdTable* files = process->files) {
        ensure_console_device();
        auto console = fs::open(process->fs, process->fs.root, "/dev/console", uapi::kO_RDWR, 0);
        if (console) {
            auto fd = files->install(console->take(), false);
            if (fd && *fd == 0) {
                (void)files->duplicate(0, 1, false);
                (void)files->duplicate(0, 2, false);
            }
        } else {
            klog::warn("init: no /dev/console for pid 1: {}", console.error().message);
        }
    }
    klog::info("init: starting {} as pid {}", path, process->pid);
    set_init_exit_handler(init_exited);
    if (auto started = start_task(process->main_task); !started) {
        klog::error("init: cannot start {}: {}", path, started.error().message);
        discard_process(process);
    }
}

}  // namespace proc
