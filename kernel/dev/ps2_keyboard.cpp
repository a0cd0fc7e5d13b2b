// The i8042 PS/2 keyboard; see ps2_keyboard.hpp. Register and command
// values from the 8042 keyboard controller interface (IBM PC/AT technical
// reference, "Keyboard Controller"): data at port 0x60, status (read) and
// command (write) at port 0x64.
#include "kernel/dev/ps2_keyboard.hpp"

#include "kernel/acpi/acpi.hpp"
#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/io.hpp"
#include "kernel/console/console.hpp"
#include "kernel/console/log.hpp"
#include "kernel/irq/irq.hpp"
#include "kernel/sched/work_queue.hpp"
#include "kernel/sync/spinlock.hpp"

namespace dev::keyboard {
namespace {

constexpr uint16_t kDataPort = 0x60;
constexpr uint16_t kStatusPort = 0x64;
constexpr uint16_t kCommandPort = 0x64;

// Status register bits.
constexpr uint8_t kOutputFull = 1u << 0;  // a byte waits at port 0x60
constexpr uint8_t kInputFull = 1u << 1;   // the controller has not taken our last write yet
constexpr uint8_t kAuxData = 1u << 5;     // the waiting byte is from the second (mouse) port

// Controller commands.
constexpr uint8_t kReadConfig = 0x20;
constexpr uint8_t kWriteConfig = 0x60;
constexpr uint8_t kDisableSecondPort = 0xa7;
constexpr uint8_t kSelfTest = 0xaa;
constexpr uint8_t kSelfTestPassed = 0x55;
constexpr uint8_t kDisableFirstPort = 0xad;
constexpr uint8_t kEnableFirstPort = 0xae;
constexpr uint8_t kWriteFirstPortOutput = 0xd2;  // the next data byte appears as keyboard input

// Configuration byte bits.
constexpr uint8_t kConfigFirstIrq = 1u << 0;
constexpr uint8_t kConfigSecondIrq = 1u << 1;
constexpr uint8_t kConfigFirstClockOff = 1u << 4;
constexpr uint8_t kConfigTranslation = 1u << 6;

// Keyboard commands and replies.
constexpr uint8_t kKeyboardEnableScanning = 0xf4;
constexpr uint8_t kKeyboardAck = 0xfa;

constexpr uint32_t kSpinBudget = 1'000'000;  // polls before a silent controller is given up on

bool g_present = false;
bool g_echo = true;
ScancodeDecoder g_decoder;  // touched only by the IRQ handler after init

// A bounded FIFO that counts what did not fit.
template <typename T, size_t N>
struct Fifo {
    T items[N];
    size_t head = 0, count = 0;
    uint64_t dropped = 0;
};
constexpr size_t kQueueSize = 128;
using Queue = Fifo<KeyEvent, kQueueSize>;
ksync::Protected<Queue> g_queue;

constexpr size_t kInputSize = 256;
using Input = Fifo<uint8_t, kInputSize>;
ksync::Protected<Input> g_input;
KeyModes g_key_modes;  // written by set_key_modes, read by the IRQ handler (a plain flag)
void (*g_ctrl_alt_delete)() = nullptr;
void (*g_input_handler)() = nullptr;

bool wait_input_empty() {
    for (uint32_t spin = 0; spin < kSpinBudget; ++spin) {
        if (!(arch::inb(kStatusPort) & kInputFull)) return true;
        arch::pause();
    }
    return false;
}

bool wait_output_full() {
    for (uint32_t spin = 0; spin < kSpinBudget; ++spin) {
        if (arch::inb(kStatusPort) & kOutputFull) return true;
        arch::pause();
    }
    return false;
}

bool command(uint8_t value) {
    if (!wait_input_empty()) return false;
    arch::outb(kCommandPort, value);
    return true;
}

bool write_data(uint8_t value) {
    if (!wait_input_empty()) return false;
    arch::outb(kDataPort, value);
    return true;
}

bool read_data(uint8_t& value) {
    if (!wait_output_full()) return false;
    value = arch::inb(kDataPort);
    return true;
}

void flush_output() {
    for (int i = 0; i < 64 && (arch::inb(kStatusPort) & kOutputFull); ++i) arch::inb(kDataPort);
}

void push(const KeyEvent& event) {
    g_queue.with([&](Queue& queue) {
        if (queue.count == kQueueSize) {
            ++queue.dropped;
            return;
        }
        queue.items[(queue.head + queue.count) % kQueueSize] = event;
        ++queue.count;
    });
}

void push_input(const EncodedKey& key) {
    g_input.with([&](Input& input) {
        if (kInputSize - input.count < key.length) {
            input.dropped += key.length;
            return;
        }
        for (size_t i = 0; i < key.length; ++i) input.items[(input.head + input.count++) % kInputSize] = key.bytes[i];
    });
}

// The echo is written by this CPU's worker thread (sched::queue_work):
// printing is slow, and an interrupt handler should not wait for a
// console. The handler leaves the text here.
constexpr size_t kEchoSize = 128;
using EchoText = Fifo<char, kEchoSize>;
ksync::Protected<EchoText> g_echo_text;

void write_echo(sched::Work&) {
    char text[kEchoSize];
    size_t length = g_echo_text.with([&](EchoText& pending) {
        size_t n = pending.count;
        for (size_t i = 0; i < n; ++i) text[i] = pending.items[(pending.head + i) % kEchoSize];
        pending.head = (pending.head + n) % kEchoSize;
        pending.count = 0;
        return n;
    });
    if (length) klog::write(lib::StringView(text, length));
}

constinit sched::Work g_echo_work{write_echo, "keyboard echo"};

void echo_character(char character) {
    char text[4];
    size_t length = echo_text(character, text);
    if (!length) return;
    if (!sched::workers_running()) {
        // Before the scheduler's workers run: into the log from here.
        klog::write(lib::StringView(text, length));
        return;
    }
    g_echo_text.with([&](EchoText& pending) {
        for (size_t i = 0; i < length; ++i) {
            if (pending.count == kEchoSize) {
                ++pending.dropped;
                continue;
            }
            pending.items[(pending.head + pending.count++) % kEchoSize] = text[i];
        }
    });
    sched::queue_work(g_echo_work);
}

void dump_screen(sched::Work&) {
    console::dump_screen_to_serial();
}

constinit sched::Work g_screen_dump_work{dump_screen, "screen dump"};

void on_interrupt(void*) {
    // Everything waiting, not just one byte: an edge-triggered line does not
    // fire again for bytes that were already there.
    bool typed = false;
    for (int i = 0; i < 16; ++i) {
        uint8_t status = arch::inb(kStatusPort);
        if (!(status & kOutputFull)) break;
        uint8_t byte = arch::inb(kDataPort);
        if (status & kAuxData) continue;  // a mouse byte: no mouse driver yet
        KeyEvent event;
        if (!g_decoder.feed(byte, event)) continue;
        push(event);
        const EncodedKey encoded = encode_key(event, KeyModes{__atomic_load_n(&g_key_modes.application_cursor_keys,
                                                                              __ATOMIC_RELAXED)});
        if (encoded.ctrl_alt_delete) {
            if (auto handler = __atomic_load_n(&g_ctrl_alt_delete, __ATOMIC_ACQUIRE)) handler();
        } else if (encoded.length) {
            push_input(encoded);
            typed = true;
        }
        if (event.pressed && event.character && __atomic_load_n(&g_echo, __ATOMIC_RELAXED))
            echo_character(event.character);
        // Ctrl+Alt+F12: the scheduler's dump (threads, states, CPUs) in the
        // log; Ctrl+Alt+F11: the screen's text on the serial port.
        if (encoded.console_key == 12) sched::request_dump();
        if (encoded.console_key == 11 && !sched::queue_work(g_screen_dump_work) && !sched::workers_running())
            console::dump_screen_to_serial();
    }
    if (typed)
        if (auto handler = __atomic_load_n(&g_input_handler, __ATOMIC_ACQUIRE)) handler();
}

}  // namespace

size_t echo_text(char character, char* out) {
    if (character == '\b') {
        out[0] = '\b', out[1] = ' ', out[2] = '\b';
        return 3;
    }
    if (character == '\n' || character == '\t' || (character >= 0x20 && character < 0x7f)) {
        out[0] = character;
        return 1;
    }
    if (character >= 0 && character < 0x20) {  // Ctrl+letter and Escape: caret notation
        out[0] = '^', out[1] = char(character + '@');
        return 2;
    }
    return 0;
}

lib::Expected<void> init() {
    // ACPI 6.5 §5.2.9.3: from FADT revision 3 (ACPI 2.0) on, a clear "8042"
    // boot architecture flag says the machine has no PS/2 controller. Older
    // FADTs have no such field, so the controller is probed instead.
    const acpi::FadtInfo* fadt = acpi::fadt();
    if (fadt && fadt->revision >= 3 && !fadt->boot_architecture.has_8042()) {
        return lib::Error::make(lib::Errno::kENODEV, "the FADT says there is no i8042 controller");
    }
    if (arch::inb(kStatusPort) == 0xff) {  // an absent controller reads as all ones
        return lib::Error::make(lib::Errno::kENODEV, "no i8042 controller");
    }
    // Quiet both ports and empty the output buffer before reconfiguring.
    command(kDisableFirstPort);
    command(kDisableSecondPort);
    flush_output();

    uint8_t config = 0;
    if (!command(kReadConfig) || !read_data(config)) {
        return lib::Error::make(lib::Errno::kEIO, "the i8042 does not answer");
    }
    config &= uint8_t(~(kConfigFirstIrq | kConfigSecondIrq | kConfigFirstClockOff));
    config |= kConfigTranslation;
    command(kWriteConfig);
    write_data(config);

    uint8_t result = 0;
    if (!command(kSelfTest) || !read_data(result) || result != kSelfTestPassed) {
        return lib::Error::make(lib::Errno::kEIO, "the i8042 self test failed").with(result);
    }
    // Some controllers reset the configuration byte in the self test.
    command(kWriteConfig);
    write_data(config);
    command(kEnableFirstPort);

    uint8_t ack = 0;
    if (!write_data(kKeyboardEnableScanning) || !read_data(ack) || ack != kKeyboardAck)
        klog::warn("keyboard: the keyboard did not acknowledge enable-scanning ({:#x})", ack);
    flush_output();

    auto vector = irq::route_isa_irq(1, on_interrupt, nullptr);
    if (!vector.has_value()) {
        return vector.error();
    }
    config |= kConfigFirstIrq;
    command(kWriteConfig);
    write_data(config);
    g_present = true;
    klog::info("keyboard: PS/2 keyboard on the i8042, ISA IRQ 1 -> vector {:#x}, scancode set 1 (translated), "
               "US layout, echo on", vector.value());
    return {};
}

lib::Expected<void> inject_byte(uint8_t byte) {
    if (!g_present) return lib::Error::make(lib::Errno::kENODEV, "no keyboard");
    if (!command(kWriteFirstPortOutput) || !write_data(byte))
        return lib::Error::make(lib::Errno::kETIMEDOUT, "the i8042 did not take the byte").with(byte);
    return {};
}

bool present() {
    return g_present;
}

void set_echo(bool on) {
    __atomic_store_n(&g_echo, on, __ATOMIC_RELAXED);
}

bool echo() {
    return __atomic_load_n(&g_echo, __ATOMIC_RELAXED);
}

bool read_event(KeyEvent& event) {
    return g_queue.with([&](Queue& queue) {
        if (queue.count == 0) return false;
        event = queue.items[queue.head];
        queue.head = (queue.head + 1) % kQueueSize;
        --queue.count;
        return true;
    });
}

uint64_t dropped_events() {
    return g_queue.with([](Queue& queue) { return queue.dropped; });
}

size_t read_input(uint8_t* out, size_t capacity) {
    return g_input.with([&](Input& input) {
        const size_t count = capacity < input.count ? capacity : input.count;
        for (size_t i = 0; i < count; ++i) out[i] = input.items[(input.head + i) % kInputSize];
        input.head = (input.head + count) % kInputSize;
        input.count -= count;
        return count;
    });
}

uint64_t dropped_input() {
    return g_input.with([](Input& input) { return input.dropped; });
}

void set_key_modes(const KeyModes& modes) {
    __atomic_store_n(&g_key_modes.application_cursor_keys, modes.application_cursor_keys, __ATOMIC_RELAXED);
}

void set_input_handler(void (*handler)()) {
    __atomic_store_n(&g_input_handler, handler, __ATOMIC_RELEASE);
}

void set_ctrl_alt_delete_handler(void (*handler)()) {
    __atomic_store_n(&g_ctrl_alt_delete, handler, __ATOMIC_RELEASE);
}

}  // namespace dev::keyboard
