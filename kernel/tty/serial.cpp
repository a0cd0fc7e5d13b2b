// ttyS0: COM1 as a terminal. Input is interrupt-driven (ISA IRQ 4, routed
// on the first open, not at boot: a boot that never opens the port keeps
// its interrupt lines as before). Output is written to the UART under the
// console lock (console::write_serial_raw), like the kernel log: a
// program's write and a log line never cut into each other (the tests
// compare whole lines), and nothing is left queued when the machine powers
// off. An interrupt-driven transmit ring that the log also goes through is
// still to come.
//
// 16550 registers (PC16550D datasheet): +0 receive/transmit holding, +1
// interrupt enable (bit 0 data available, bit 1 transmitter empty), +2
// interrupt identification, +4 modem control (bit 3 OUT2 gates the IRQ line
// on PCs), +5 line status (bit 0 data ready, bit 5 transmit holding empty).
#include "kernel/console/console.hpp"
#include "kernel/console/log.hpp"
#include "kernel/fs/device.hpp"
#include "kernel/fs/fs.hpp"
#include "kernel/irq/irq.hpp"
#include "kernel/proc/process.hpp"
#include "kernel/proc/procfs_files.hpp"
#include "kernel/tty/tty.hpp"
#include "lib/x86_64/instructions.hpp"

namespace tty {

namespace {

constexpr uint16_t kCom1 = 0x3F8;
constexpr uint16_t kData = 0, kInterruptEnable = 1, kModemControl = 4, kLineStatus = 5;
constexpr uint8_t kEnableReceive = 0x01;
constexpr uint8_t kOut2 = 0x08;
constexpr uint8_t kDataReady = 0x01;

class SerialDriver final : public Driver {
public:
    explicit SerialDriver(uint16_t base) : base_(base) {}
    void attach(Tty& tty) { tty_ = &tty; }

    // Output goes out at once (polled, under the console lock).
    size_t room() const override { return 4096; }
    void put(const uint8_t* bytes, size_t count) override { console::write_serial_raw(bytes, count); }
    lib::Expected<void> open() override {
        auto vector = irq::route_isa_irq(4, interrupt, this);
        if (!vector) return vector.error();
        x86_64::outb(base_ + kModemControl, x86_64::inb(base_ + kModemControl) | kOut2);
        x86_64::outb(base_ + kInterruptEnable, kEnableReceive);
        klog::info("tty: ttyS0 on COM1, ISA IRQ 4 -> vector {:#x}", *vector);
        return {};
    }

private:
    static void interrupt(void* context) {
        auto* self = static_cast<SerialDriver*>(context);
        uint8_t received[64];
        size_t n = 0;
        while (n < sizeof received && (x86_64::inb(self->base_ + kLineStatus) & kDataReady))
            received[n++] = x86_64::inb(self->base_ + kData);
        if (n && self->tty_) self->tty_->receive(received, n);
    }

    uint16_t base_;
    Tty* tty_ = nullptr;
};

SerialDriver g_serial_driver(kCom1);
Tty* g_serial = nullptr;

// ttyS0 (4, 64).
lib::Expected<fs::File*> open_serial(const fs::Path& path, fs::Inode* inode, uint32_t flags, uint32_t) {
    if (!g_serial) return lib::Error::make(lib::Errno::kENXIO, "no serial terminal");
    return open_file(*g_serial, path, inode, flags, true);
}

// /dev/tty (5, 0): the caller's controlling terminal; /dev/console (5, 1):
// the serial terminal, which an open of /dev/console never makes anyone's
// controlling terminal (Linux's tty_open: noctty for TTYAUX 1).
lib::Expected<fs::File*> open_aux(const fs::Path& path, fs::Inode* inode, uint32_t flags, uint32_t minor) {
    if (minor == 0) {
        Tty* own = controlling_tty();
        if (!own) return lib::Error::make(lib::Errno::kENXIO, "no controlling terminal");
        return open_file(*own, path, inode, flags, false);
    }
    if (!g_serial) return lib::Error::make(lib::Errno::kENXIO, "no console terminal");
    return open_file(*g_serial, path, inode, flags, false);
}

}  // namespace

Tty* serial_tty() { return g_serial; }

void init() {
    static Tty serial("ttyS0", g_serial_driver);
    g_serial_driver.attach(serial);
    serial.set_device(4, 64);
    g_serial = &serial;
    register_tty(serial);
    set_job_control(process_job_control());
    proc::set_session_end_handler(end_session);
    proc::set_session_terminal_lookup(session_terminal);
    // ttyS0 (4, 64); /dev/console (5, 1) is the serial terminal too (the
    // kernel's log goes there first, as with Linux's console=ttyS0);
    // /dev/tty (5, 0) the caller's controlling terminal.
    struct Node {
        const char* name;
        uint32_t mode, major, minor;
    } nodes[] = {{"ttyS0", uapi::kS_IFCHR | 0660, 4, 64},
                 {"console", uapi::kS_IFCHR | 0600, 5, 1},
                 {"tty", uapi::kS_IFCHR | 0666, 5, 0}};
    if (auto r = fs::register_character_device(4, 64, 1, open_serial); !r)
        klog::warn("tty: ttyS0: {}", r.error().message);
    if (auto r = fs::register_character_device(5, 0, 2, open_aux); !r)
        klog::warn("tty: console: {}", r.error().message);
    for (const Node& node : nodes)
        if (auto made = fs::make_device_node(node.name, node.mode, node.major, node.minor); !made)
            klog::warn("tty: /dev/{}: {}", node.name, made.error().message);
    init_vt();
    init_pty();
}

}  // namespace tty
