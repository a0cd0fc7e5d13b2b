// How a log record looks on a console (see klog::format_record in log.hpp).
// Pure: shared by the kernel's drain and the host tests.
#include "kernel/console/log.hpp"
#include "kernel/console/log_prefix.hpp"

namespace klog {
namespace {

// Writes into out[0, size - 1) (size >= 1) and counts what fitted.
class BoundedSink {
public:
    BoundedSink(char* out, size_t size) : out_(out), capacity_(size - 1) {}
    void put(char c) {
        if (used_ < capacity_) out_[used_++] = c;
    }
    size_t finish() {
        out_[used_] = '\0';
        return used_;
    }

private:
    char* out_;
    size_t capacity_;
    size_t used_ = 0;
};

}  // namespace

size_t format_record(const Record& record, char* out, size_t size) {
    if (size == 0) return 0;
    BoundedSink sink(out, size);
    const bool leveled = !record.raw();
    if (leveled && !(record.flags & record_flags::kContinuation))
        detail::write_prefix(sink, record.level, record.flags & record_flags::kHasTime, record.timestamp_ns);
    for (char c : record.view()) sink.put(c);
    if (leveled && !(record.flags & record_flags::kContinued)) detail::write_suffix(sink, record.level);
    return sink.finish();
}

}  // namespace klog
