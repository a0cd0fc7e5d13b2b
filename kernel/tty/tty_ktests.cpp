// Terminals on the machine (test=tty, scenario tty_serial_typing types into
// COM1): /dev/ttyS0 opened through the VFS routes IRQ 4; a cooked line with
// an erase arrives edited; in raw mode (VMIN 1) one byte returns at once;
// ^C drops the line typed so far and asks the job-control hook to signal
// the foreground group.
#include "kernel/boot/boot_info.hpp"
#include "kernel/console/log.hpp"
#include "lib/cmdline.hpp"
#include "kernel/fs/vfs.hpp"
#include "kernel/test/ktest.hpp"
#include "kernel/tty/tty.hpp"

namespace {

int32_t g_signalled_group = 0;
int g_signal = 0;

size_t read_tty(fs::File& file, char* out, size_t size) {
    fs::IoBuffer::Segment s;
    fs::IoBuffer b = fs::IoBuffer::kernel_one(s, out, size);
    auto n = file.read(b);
    return n ? *n : 0;
}

KTEST(tty, serial_typing) {
    // Only when a scenario types (tty_typing on the command line): test=all
    // boots have no one at the serial port.
    if (!lib::CommandLine(boot::info().cmdline).has("tty_typing")) {
        klog::info("tty: no tty_typing on the command line: nothing typed to read");
        return;
    }
    fs::Context context = *fs::root_context();
    auto file = fs::open(context, context.root, "/dev/ttyS0", uapi::kO_RDWR, 0);
    KASSERT(file.has_value());
    tty::Tty* t = tty::serial_tty();
    KASSERT(t != nullptr);

    klog::print("tty: type a line\n");
    char line[64] = {};
    size_t n = read_tty(**file, line, sizeof line - 1);
    KEXPECT_EQ(n, 12u);
    KEXPECT(lib::StringView(line, n) == "hello world\n");
    klog::print("tty: read \"{}\\n\"\n", lib::StringView(line, n ? n - 1 : 0));

    tty::Termios raw = t->termios();
    raw.c_lflag &= ~(tty::kICANON | tty::kECHO);
    raw.c_cc[tty::kVMIN] = 1;
    raw.c_cc[tty::kVTIME] = 0;
    t->set_termios_for_test(raw);
    klog::print("tty: type a raw byte\n");
    char c = 0;
    KEXPECT_EQ(read_tty(**file, &c, 1), 1u);
    KEXPECT_EQ(c, 'x');

    t->set_termios_for_test(tty::standard_termios());
    tty::JobControl previous = tty::job_control();
    tty::JobControl hooks;
    hooks.signal_group = [](int32_t group, int signal) {
        g_signalled_group = group;
        g_signal = signal;
    };
    tty::set_job_control(hooks);
    t->set_foreground_group_for_test(42);
    klog::print("tty: type an interrupted line\n");
    n = read_tty(**file, line, sizeof line - 1);
    KEXPECT(lib::StringView(line, n) == "def\n");
    KEXPECT_EQ(g_signalled_group, 42);
    KEXPECT_EQ(g_signal, tty::kSIGINT);
    tty::set_job_control(previous);
}

}  // namespace
