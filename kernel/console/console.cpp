// The console fan-out: one lock, every active console; see console.hpp.
#include "kernel/console/console.hpp"

#include "kernel/console/ansi.hpp"
#include "kernel/console/framebuffer_console.hpp"
#include "kernel/console/history.hpp"
#include "kernel/console/serial.hpp"
#include "kernel/sync/spinlock.hpp"
#include "lib/format.hpp"

namespace console {
namespace {

// How long a writer waits for the console lock before writing anyway (see
// ksync::BoundedGuard): 2^28 PAUSE spins are seconds on real hardware, far
// longer than any legitimate hold (16 KiB of history replayed to a 115200
// baud UART is about 1.4 s), yet a deadlock costs a delay, not the machine.
constexpr uint64_t kLockPatienceSpins = uint64_t(1) << 28;

// All constant-initialized: the consoles work before global constructors
// have run (console::init_serial comes first in the boot).
constinit SerialPort g_serial(SerialPort::kCom1);
constinit AnsiParser g_serial_escapes;  // strips colour escapes from serial output
constinit ksync::Spinlock g_console_lock;
constinit bool g_panic_mode = false;
// Everything written, so that a console that starts later shows it too.
constinit History g_history;

void write_serial(lib::StringView text) {
    if (!g_serial.present()) return;
    for (char c : text)
        if (g_serial_escapes.feed(c) == AnsiParser::Result::kText) g_serial.put(c);
}

void write_unlocked(lib::StringView text) {
    g_history.append(text);
    write_serial(text);
    if (framebuffer::active()) framebuffer::write(text);
}

}  // namespace

void init_serial() {
    ksync::BoundedGuard guard(g_console_lock, kLockPatienceSpins);
    const bool was_present = g_serial.present();
    // No UART (or a broken one): the kernel has the framebuffer alone, and
    // nowhere to say so yet.
    if (g_serial.init() && !was_present) g_history.replay([](lib::StringView text) { write_serial(text); });
}

lib::Expected<void> init_framebuffer(const boot::Framebuffer& fb) {
    ksync::BoundedGuard guard(g_console_lock, kLockPatienceSpins);
    TRY(framebuffer::init(fb));
    // The screen starts with the boot so far (from the history), not blank.
    g_history.replay([](lib::StringView text) { framebuffer::write(text); });
    return {};
}

void write(lib::StringView text) {
    if (__atomic_load_n(&g_panic_mode, __ATOMIC_ACQUIRE)) {
        write_unlocked(text);
        return;
    }
    ksync::BoundedGuard guard(g_console_lock, kLockPatienceSpins);
    write_unlocked(text);
}

void write_serial_raw(const uint8_t* bytes, size_t count) {
    if (__atomic_load_n(&g_panic_mode, __ATOMIC_ACQUIRE)) {
        for (size_t i = 0; i < count; ++i) g_serial.put_raw(bytes[i]);
        return;
    }
    ksync::BoundedGuard guard(g_console_lock, kLockPatienceSpins);
    for (size_t i = 0; i < count; ++i) g_serial.put_raw(bytes[i]);
}

bool write_framebuffer_raw(const uint8_t* bytes, size_t count) {
    // (No panic-mode path: after a panic only the kernel's own text is shown.)
    ksync::BoundedGuard guard(g_console_lock, kLockPatienceSpins);
    if (!framebuffer::active()) return false;
    framebuffer::write_terminal(lib::Span<const uint8_t>(bytes, count));
    return framebuffer::terminal().application_cursor_keys();
}

void set_framebuffer_reply(TerminalReply reply, void* context) {
    ksync::BoundedGuard guard(g_console_lock, kLockPatienceSpins);
    framebuffer::terminal().set_reply(reply, context);
}

bool framebuffer_size(uint32_t& columns, uint32_t& rows) {
    ksync::BoundedGuard guard(g_console_lock, kLockPatienceSpins);
    if (!framebuffer::active()) return false;
    columns = framebuffer::terminal().columns();
    rows = framebuffer::terminal().rows();
    return true;
}

void dump_screen_to_serial() {
    ksync::BoundedGuard guard(g_console_lock, kLockPatienceSpins);
    if (!framebuffer::active()) {
        g_serial.write("screen: no framebuffer console\n");
        return;
    }
    const Terminal& terminal = framebuffer::terminal();
    char line[Terminal::kMaxColumns + 16];
    g_serial.write(lib::StringView(line, lib::format(line, sizeof line, "screen: {}x{}, cursor at row {} column {}\n",
                                                     terminal.columns(), terminal.rows(), terminal.cursor_row() + 1,
                                                     terminal.cursor_column() + 1)));
    for (uint32_t row = 0; row < terminal.rows(); ++row) {
        size_t length = 0;
        for (const char c : lib::StringView("screen| ")) line[length++] = c;
        size_t used = length;  // up to the last non-blank cell
        for (uint32_t column = 0; column < terminal.columns(); ++column) {
            const uint32_t code_point = terminal.cell(column, row).code_point;
            line[length++] = code_point >= 0x20 && code_point < 0x7f ? char(code_point) : '?';
            if (code_point != ' ') used = length;
        }
        line[used++] = '\n';
        g_serial.write(lib::StringView(line, used));
    }
    g_serial.write("screen: end\n");
}

bool serial_present() {
    return g_serial.present();
}
bool framebuffer_active() {
    return framebuffer::active();
}

void enter_panic_mode() {
    __atomic_store_n(&g_panic_mode, true, __ATOMIC_RELEASE);
}
bool in_panic_mode() {
    return __atomic_load_n(&g_panic_mode, __ATOMIC_ACQUIRE);
}

}  // namespace console
