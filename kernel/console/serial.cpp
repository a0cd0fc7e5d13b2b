// 16550 UART, polled. Register map and bits from the National Semiconductor
// PC16550D data sheet (§8, "Registers"); the divisor is 1.8432 MHz / (16 x baud).
#include "kernel/console/serial.hpp"

#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/io.hpp"

namespace console {
namespace {

// Register offsets from the base port.
enum Register : uint16_t {
    kData = 0,             // THR (write) / RBR (read); divisor low byte when LCR.DLAB
    kInterruptEnable = 1,  // IER; divisor high byte when LCR.DLAB
    kFifoControl = 2,      // FCR (write only)
    kLineControl = 3,      // LCR
    kModemControl = 4,     // MCR
    kLineStatus = 5,       // LSR
    kScratch = 7,
};

// LCR: 8 data bits (bits 0-1 = 11), 1 stop bit, no parity; bit 7 = DLAB.
constexpr uint8_t kLcr8N1 = 0x03;
constexpr uint8_t kLcrDivisorLatch = 0x80;
// FCR: enable FIFOs (bit 0), clear RX and TX FIFOs (bits 1, 2), RX trigger at
// 14 bytes (bits 6-7 = 11).
constexpr uint8_t kFcrEnableAndClear = 0xC7;
// MCR bits: DTR, RTS, OUT1, OUT2 (OUT2 gates the IRQ line on PCs), LOOP.
constexpr uint8_t kMcrDtr = 0x01, kMcrRts = 0x02, kMcrOut1 = 0x04, kMcrOut2 = 0x08, kMcrLoopback = 0x10;
// LSR bit 5: the transmit holding register (or TX FIFO) is empty.
constexpr uint8_t kLsrTransmitEmpty = 0x20;
// IIR bits 6-7 read 11 once the FIFOs are enabled on a 16550A; a 16450 (no
// FIFO) or the buggy original 16550 does not report both.
constexpr uint8_t kIirFifosEnabled = 0xC0;
// Bytes the transmitter takes after it reported empty: the whole 16-byte TX
// FIFO on a 16550A, one holding register otherwise.
constexpr uint8_t kFifoDepth = 16;

constexpr uint16_t kDivisor115200 = 1;  // 115200 = 1843200 / (16 * 1)
constexpr uint8_t kLoopbackProbe = 0xAE;

// How many LSR polls to wait for room in the transmitter. Each port read
// takes about a microsecond on real hardware, one character at 115200 baud
// about 87: this allows a stalled byte ~100 ms before giving up on it.
constexpr uint32_t kTransmitPolls = 100000;
// After this many bytes in a row that never left, the port is dropped, so a
// dead UART costs a bounded delay rather than 100 ms per character forever.
constexpr uint8_t kMaxConsecutiveTimeouts = 4;

}  // namespace

lib::Expected<void> SerialPort::init() {
    present_ = false;
    // No device decodes the port: reads float to 0xFF and the scratch
    // register does not keep what is written.
    arch::outb(base_ + kScratch, 0x5A);
    if (arch::inb(base_ + kScratch) != 0x5A) return lib::Error::make(lib::Errno::kENODEV, "no UART").with(base_);

    arch::outb(base_ + kInterruptEnable, 0x00);  // polled: no interrupts
    arch::outb(base_ + kLineControl, kLcrDivisorLatch);
    arch::outb(base_ + kData, kDivisor115200 & 0xFF);
    arch::outb(base_ + kInterruptEnable, kDivisor115200 >> 8);
    arch::outb(base_ + kLineControl, kLcr8N1);
    arch::outb(base_ + kFifoControl, kFcrEnableAndClear);

    // Loopback test: in loop mode the transmitter feeds the receiver
    // internally and nothing goes out on the wire, so a byte written must
    // come back unchanged if a working 16550 is there.
    arch::outb(base_ + kModemControl, kMcrLoopback | kMcrRts | kMcrOut1 | kMcrOut2);
    arch::outb(base_ + kData, kLoopbackProbe);
    bool echoed = false;
    for (uint32_t poll = 0; poll < kTransmitPolls && !echoed; ++poll) {
        if (arch::inb(base_ + kLineStatus) & 0x01)
            echoed = true;  // LSR bit 0: data ready
        else
            arch::pause();
    }
    if (!echoed || arch::inb(base_ + kData) != kLoopbackProbe) {
        arch::outb(base_ + kModemControl, 0x00);
        return lib::Error::make(lib::Errno::kEIO, "the UART failed its loopback test").with(base_);
    }

    // Normal operation: loop off, DTR + RTS asserted, OUT2 for a later IRQ.
    arch::outb(base_ + kModemControl, kMcrDtr | kMcrRts | kMcrOut1 | kMcrOut2);
    burst_ = (arch::inb(base_ + kFifoControl) & kIirFifosEnabled) == kIirFifosEnabled ? kFifoDepth : 1;
    room_ = 0;
    present_ = true;
    consecutive_timeouts_ = 0;
    return {};
}

bool SerialPort::transmit(uint8_t byte) {
    // Once LSR says the transmitter is empty, a whole FIFO's worth of bytes
    // may follow without polling again: one port read per 16 bytes.
    for (uint32_t poll = 0; room_ == 0 && poll < kTransmitPolls; ++poll) {
        if (arch::inb(base_ + kLineStatus) & kLsrTransmitEmpty)
            room_ = burst_;
        else
            arch::pause();
    }
    if (room_ == 0) {
        if (++consecutive_timeouts_ >= kMaxConsecutiveTimeouts) present_ = false;
        return false;
    }
    arch::outb(base_ + kData, byte);
    --room_;
    consecutive_timeouts_ = 0;
    return {};
}

void SerialPort::put(char c) {
    if (!present_) return;
    if (c == '\n') transmit('\r');
    transmit(static_cast<uint8_t>(c));
}

void SerialPort::write(lib::StringView text) {
    for (char c : text) put(c);
}

}  // namespace console
