// The sparse page index (see page_index.hpp).
#include "kernel/vm/page_index.hpp"

#include "kernel/vm/allocation.hpp"
#include "kernel/vm/errors.hpp"

namespace vm {
namespace {
constexpr unsigned slot_at(uint64_t index, unsigned level) {
    return unsigned(index >> (9 * level)) & 511;
}
}  // namespace

PageIndex::~PageIndex() {
    if (root_) free_node(root_, kLevels - 1);
}

void PageIndex::free_node(Node* node, unsigned level) {
    if (level > 0)
        for (uint64_t slot : node->slots)
            if (slot) free_node(reinterpret_cast<Node*>(slot), level - 1);
    destroy(node);
}

void PageIndex::visit_node(const Node* node, unsigned level, uint64_t base, Visitor visit, void* context) {
    for (unsigned i = 0; i < kFanout; ++i) {
        uint64_t slot = node->slots[i];
        if (!slot) continue;
        uint64_t index = (base << 9) | i;
        if (level == 0)
            visit(context, index, slot);
        else
            visit_node(reinterpret_cast<const Node*>(slot), level - 1, index, visit, context);
    }
}

uint64_t PageIndex::get(uint64_t index) const {
    if (index >= kMaxPages) return 0;
    const Node* node = root_;
    for (unsigned level = kLevels - 1; node && level > 0; --level)
        node = reinterpret_cast<const Node*>(node->slots[slot_at(index, level)]);
    return node ? node->slots[slot_at(index, 0)] : 0;
}

lib::Expected<void> PageIndex::set(uint64_t index, uint64_t frame) {
    if (index >= kMaxPages) return error(lib::Errno::kEFBIG, "page index past the largest object");
    if (!root_) {
        if (!frame) return {};
        root_ = create<Node>();
        if (!root_) return error(lib::Errno::kENOMEM, "no memory for a page index node");
    }
    Node* node = root_;
    for (unsigned level = kLevels - 1; level > 0; --level) {
        uint64_t& slot = node->slots[slot_at(index, level)];
        if (!slot) {
            if (!frame) return {};
            Node* child = create<Node>();
            if (!child) return error(lib::Errno::kENOMEM, "no memory for a page index node");
            slot = reinterpret_cast<uint64_t>(child);
        }
        node = reinterpret_cast<Node*>(slot);
    }
    node->slots[slot_at(index, 0)] = frame;
    return {};
}

}  // namespace vm
