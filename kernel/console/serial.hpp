// A polled 16550 UART driver (COM1 by default): the kernel's first and most
// reliable console, and what the test harness reads.
#pragma once

#include <stdint.h>

#include "lib/expected.hpp"
#include "lib/string_view.hpp"

namespace console {

class SerialPort {
public:
    static constexpr uint16_t kCom1 = 0x3F8;

    constexpr explicit SerialPort(uint16_t base) : base_(base) {}

    // Programs 115200 baud 8N1 with FIFOs, after checking with the UART's
    // loopback mode that a 16550 answers at all: ENODEV if nothing decodes
    // the port, EIO if the loopback test fails. Such a port stays disabled
    // and every later write is a no-op.
    lib::Expected<void> init();

    bool present() const { return present_; }

    // Writes raw bytes, turning "\n" into "\r\n" for terminals.
    void write(lib::StringView text);
    void put(char c);
    // One byte exactly as given (a terminal's output, already through its
    // line discipline's OPOST).
    void put_raw(uint8_t byte) {
        if (present_) (void)transmit(byte);
    }

private:
    bool transmit(uint8_t byte);

    uint16_t base_;
    bool present_ = false;
    uint8_t consecutive_timeouts_ = 0;
    uint8_t burst_ = 1;  // bytes the UART accepts after reporting empty
    uint8_t room_ = 0;   // of those, how many are still free
};

}  // namespace console
