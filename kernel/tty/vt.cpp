// tty1: the framebuffer console with the PS/2 keyboard as a terminal
// (docs/tty.md "tty1"), Linux's first virtual terminal. /dev/tty0 (the
// current virtual terminal) opens it too: there is only the one.
//
// Output: what programs write, after OPOST, and the echoes of what is typed
// go to the framebuffer's Terminal (VT100/xterm emulation) under the console
// lock, at once, like the kernel log, which keeps sharing the screen as it
// does on Linux. Without a framebuffer console the bytes are dropped (Linux's
// dummy console) and the terminal still reads the keyboard.
//
// Input: the keyboard's interrupt handler queues the bytes a key sends
// (dev/key_encoding.hpp) and tells us; a worker thread hands them to the
// line discipline (drawing an echo is too slow for an interrupt handler).
// The Terminal's answers to DSR and DA (busybox's line editor asks for the
// cursor position with ESC [ 6 n before a prompt) are input too: they are
// made while the tty's and the console's locks are held, so they wait in a
// small queue until the write that caused them is done.
#include "kernel/console/console.hpp"
#include "kernel/console/log.hpp"
#include "kernel/dev/ps2_keyboard.hpp"
#include "kernel/fs/device.hpp"
#include "kernel/fs/fs.hpp"
#include "kernel/sched/work_queue.hpp"
#include "kernel/sync/spinlock.hpp"
#include "kernel/tty/tty.hpp"

namespace tty {

namespace {

// Terminal replies waiting to become input (a cursor report is at most
// about 16 bytes; a few may be outstanding).
struct Replies {
    static constexpr size_t kSize = 128;
    uint8_t bytes[kSize];
    size_t count = 0;
};

class VtDriver final : public Driver {
public:
    void attach(Tty& tty) { tty_ = &tty; }

    // Drawn at once: there is always room, nothing is ever queued.
    size_t room() const override { return 4096; }
    void put(const uint8_t* bytes, size_t count) override {
        const bool application_cursor_keys = console::write_framebuffer_raw(bytes, count);
        dev::keyboard::set_key_modes(dev::keyboard::KeyModes{application_cursor_keys});
    }
    void start() override { deliver_replies(); }
    lib::Expected<void> open() override;

    // The Terminal's reply callback (console lock held): queue only.
    static void queue_reply(void* context, const char* bytes, size_t length) {
        auto* self = static_cast<VtDriver*>(context);
        self->replies_.with([&](Replies& replies) {
            if (Replies::kSize - replies.count < length) return;  // a flood of queries: drop whole replies
            for (size_t i = 0; i < length; ++i) replies.bytes[replies.count++] = uint8_t(bytes[i]);
        });
    }

private:
    // Runs after every write and receive, outside the tty's lock. One CPU
    // at a time delivers (in order); one that finds another at it leaves
    // its replies to it, which looks again after letting go.
    void deliver_replies() {
        for (;;) {
            if (__atomic_exchange_n(&delivering_, true, __ATOMIC_ACQUIRE)) return;
            for (;;) {
                uint8_t bytes[Replies::kSize];
                size_t n = replies_.with([&](Replies& replies) {
                    size_t taken = replies.count;
                    for (size_t i = 0; i < taken; ++i) bytes[i] = replies.bytes[i];
                    replies.count = 0;
                    return taken;
                });
                if (n == 0) break;
                if (tty_) tty_->receive(bytes, n);
            }
            __atomic_store_n(&delivering_, false, __ATOMIC_RELEASE);
            if (replies_.with([](Replies& replies) { return replies.count; }) == 0) return;
        }
    }

    Tty* tty_ = nullptr;
    ksync::Protected<Replies> replies_;
    bool delivering_ = false;
};

VtDriver g_vt_driver;
Tty* g_vt = nullptr;

// The keyboard's bytes into the line discipline, in order: the worker of
// whichever CPU took the interrupt runs this, so two may run at once.
fs::Mutex g_keyboard_mutex{"tty1 keyboard"};

void read_keyboard(sched::Work&) {
    fs::MutexGuard guard(g_keyboard_mutex);
    uint8_t bytes[64];
    while (size_t n = dev::keyboard::read_input(bytes, sizeof bytes))
        if (g_vt) g_vt->receive(bytes, n);
}

constinit sched::Work g_keyboard_work{read_keyboard, "tty1 keyboard"};

void keyboard_typed() {
    sched::queue_work(g_keyboard_work);
}

lib::Expected<void> VtDriver::open() {
    // From now on the keyboard types into tty1: its own echo into the log
    // stops (the line discipline echoes), and what was typed before the
    // first open is the terminal's first input, as on Linux.
    dev::keyboard::set_echo(false);
    dev::keyboard::set_input_handler(keyboard_typed);
    sched::queue_work(g_keyboard_work);
    return {};
}

lib::Expected<fs::File*> open_vt(const fs::Path& path, fs::Inode* inode, uint32_t flags, uint32_t) {
    if (!g_vt) return lib::Error::make(lib::Errno::kENXIO, "no virtual terminal");
    return open_file(*g_vt, path, inode, flags, true);
}

}  // namespace

Tty* vt_tty() {
    return g_vt;
}

void init_vt() {
    // The window is the framebuffer's grid of cells (Linux's dummy console
    // is 80x25 where there is none).
    WinSize window{};
    uint32_t columns = 80, rows = 25;
    (void)console::framebuffer_size(columns, rows);
    window.ws_col = uint16_t(columns);
    window.ws_row = uint16_t(rows);
    static Tty vt("tty1", g_vt_driver, window);
    g_vt_driver.attach(vt);
    console::set_framebuffer_reply(VtDriver::queue_reply, &g_vt_driver);
    vt.set_device(4, 1);
    g_vt = &vt;
    register_tty(vt);
    // tty0 (4, 0): the current virtual terminal; tty1 (4, 1).
    if (auto r = fs::register_character_device(4, 0, 2, open_vt); !r) klog::warn("tty: tty1: {}", r.error().message);
    for (uint32_t minor = 0; minor < 2; ++minor) {
        const char* name = minor == 0 ? "tty0" : "tty1";
        if (auto made = fs::make_device_node(name, uapi::kS_IFCHR | 0620, 4, minor); !made)
            klog::warn("tty: /dev/{}: {}", name, made.error().message);
    }
}

}  // namespace tty
