// The list of everything wrong with the firmware's tables: each problem names
// the table (its signature, or "RSDP") and says what is wrong. Parsing never
// stops at a problem it can step around; it records it here, ignores the bad
// part and goes on. The boot log prints the list (acpi::print_summary).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/acpi/signature.hpp"

namespace acpi {

struct Problem {
    Signature::Printable table;
    const char* message;  // static text
    uint64_t detail;      // the offending address, offset or value (see message)
};

class Diagnostics {
public:
    static constexpr size_t kCapacity = 32;

    void report(Signature table, const char* message, uint64_t detail = 0) {
        if (count_ == kCapacity) {
            ++dropped_;
            return;
        }
        problems_[count_++] = Problem{table.printable(), message, detail};
    }

    size_t count() const { return count_; }
    const Problem& operator[](size_t index) const { return problems_[index]; }
    // Problems beyond the capacity: counted, not kept.
    size_t dropped() const { return dropped_; }
    bool empty() const { return count_ == 0 && dropped_ == 0; }

private:
    Problem problems_[kCapacity];
    size_t count_ = 0;
    size_t dropped_ = 0;
};

}  // namespace acpi
