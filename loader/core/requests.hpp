// Finding Limine requests in the loaded kernel image (docs/limine-protocol.md §1).
// Pure logic over the image bytes: what the loader must answer.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/expected.hpp"
#include "lib/span.hpp"

namespace loader {

inline constexpr size_t kMaxRequests = 64;

struct FoundRequest {
    uint64_t offset;    // byte offset of the request's first id word in the image
    uint64_t id2, id3;  // the two feature words, naming the request
};

struct RequestScan {
    bool has_markers = false;           // start/end markers present and honoured
    bool has_base_revision = false;     // a base revision tag was found
    uint64_t base_revision_offset = 0;  // offset of the tag's first word
    uint64_t requested_revision = 0;    // tag's third word as found (0 if no tag)
    FoundRequest requests[kMaxRequests];
    size_t request_count = 0;
};

// Scans `image` on 8-byte boundaries. With markers, only objects between the
// last start marker and the first end marker after it count. A request is any
// 8-byte aligned place starting with the common magic. Two requests with the
// same id are kDuplicate (the error message names it; `duplicate` gets its
// id). More than kMaxRequests is kUnsupported.
lib::Expected<RequestScan> scan_requests(lib::Bytes image, FoundRequest* duplicate = nullptr);

// Human-readable name of a feature ("hhdm", "smp", ...) or nullptr if the
// id is not one of docs/limine-protocol.md §4's features.
const char* request_name(uint64_t id2, uint64_t id3);

}  // namespace loader
