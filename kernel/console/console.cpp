// The console fan-out: one lock, every active console; see console.hpp.
#include "console/console.hpp"

#include "console/ansi.hpp"
#include "console/framebuffer_console.hpp"
#include "console/serial.hpp"
#include "sync/spinlock.hpp"

namespace console {
namespace {

// All constant-initialized: the consoles work before global constructors
// have run (console::init_serial comes first in the boot).
constinit SerialPort g_serial(SerialPort::kCom1);
constinit AnsiParser g_serial_escapes;  // strips colour escapes from serial output
constinit sync::Spinlock g_console_lock;
constinit bool g_panic_mode = false;

void write_unlocked(lib::StringView text) {
    if (g_serial.present()) {
        for (char c : text)
            if (g_serial_escapes.feed(c) == AnsiParser::Result::kText) g_serial.put(c);
    }
    if (framebuffer::active()) framebuffer::write(text);
}

}  // namespace

void init_serial() {
    sync::Guard guard(g_console_lock);
    g_serial.init();
}

bool init_framebuffer(const boot::Framebuffer& fb) {
    sync::Guard guard(g_console_lock);
    return framebuffer::init(fb);
}

void write(lib::StringView text) {
    if (__atomic_load_n(&g_panic_mode, __ATOMIC_ACQUIRE)) {
        write_unlocked(text);
        return;
    }
    sync::Guard guard(g_console_lock);
    write_unlocked(text);
}

bool serial_present() { return g_serial.present(); }
bool framebuffer_active() { return framebuffer::active(); }

void enter_panic_mode() { __atomic_store_n(&g_panic_mode, true, __ATOMIC_RELEASE); }
bool in_panic_mode() { return __atomic_load_n(&g_panic_mode, __ATOMIC_ACQUIRE); }

}  // namespace console
