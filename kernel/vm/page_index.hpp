// A sparse map from page index to frame (a 4-level radix tree of 512-way
// nodes, 2^36 pages): the pages of a shared-memory object. Nodes come from
// vm::create and so may fail (ENOMEM) instead of panicking.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/expected.hpp"

namespace vm {

class PageIndex {
public:
    static constexpr uint64_t kMaxPages = 1ULL << 36;

    PageIndex() = default;
    ~PageIndex();
    PageIndex(const PageIndex&) = delete;
    PageIndex& operator=(const PageIndex&) = delete;

    // The frame stored for `index`, or 0.
    uint64_t get(uint64_t index) const;
    // Stores `frame` (0 erases).
    lib::Expected<void> set(uint64_t index, uint64_t frame);
    // Calls visit(context, index, frame) for every stored frame, in index order.
    using Visitor = void (*)(void* context, uint64_t index, uint64_t frame);
    void for_each(Visitor visit, void* context) const {
        if (root_) visit_node(root_, kLevels - 1, 0, visit, context);
    }

private:
    static constexpr unsigned kLevels = 4;
    static constexpr unsigned kFanout = 512;
    struct Node {
        uint64_t slots[kFanout] = {};  // child Node* (upper levels) or frame (leaves)
    };
    static void visit_node(const Node* node, unsigned level, uint64_t base, Visitor visit, void* context);
    static void free_node(Node* node, unsigned level);

    Node* root_ = nullptr;
};

}  // namespace vm
