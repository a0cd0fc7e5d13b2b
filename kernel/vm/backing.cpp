// The reverse map of a backing object (see backing.hpp).
#include "kernel/vm/backing.hpp"

#include "kernel/debug/assert.hpp"
#include "kernel/vm/address_space.hpp"
#include "kernel/vm/allocation.hpp"

namespace vm {

Backing::~Backing() {
    ASSERT_MSG(mappers_ == nullptr, "vm: a backing object goes while a region maps it");
}

bool Backing::add_mapper(AddressSpace* space) {
    ksync::Guard guard(mappers_lock_);
    for (Mapper* mapper = mappers_; mapper; mapper = mapper->next) {
        if (mapper->space == space) {
            ++mapper->regions;
            return true;
        }
    }
    Mapper* mapper = vm::create<Mapper>(Mapper{space, 1, 0, mappers_});
    if (!mapper) return false;
    mappers_ = mapper;
    return true;
}

void Backing::remove_mapper(AddressSpace* space) {
    Mapper* gone = nullptr;
    {
        ksync::Guard guard(mappers_lock_);
        for (Mapper** link = &mappers_; *link; link = &(*link)->next) {
            if ((*link)->space != space) continue;
            if (--(*link)->regions == 0) {
                gone = *link;
                *link = gone->next;
            }
            break;
        }
    }
    vm::destroy(gone);
}

// Each address space is visited with only its own lock held (the mappers'
// lock is let go first: a fault holds its address space's lock and then
// takes the mappers' lock when it makes a region), kept alive meanwhile by
// a reference. An address space that starts mapping the object during the
// walk is visited too, which does no harm.
void Backing::unmap_pages(uint64_t first, uint64_t count, bool even_private_copies) {
    ksync::Guard serial(unmap_lock_);
    uint64_t pass = ++unmap_pass_;
    for (;;) {
        AddressSpace* space = nullptr;
        {
            ksync::Guard guard(mappers_lock_);
            for (Mapper* mapper = mappers_; mapper; mapper = mapper->next) {
                if (mapper->pass == pass) continue;
                mapper->pass = pass;
                space = mapper->space;
                space->hold();
                break;
            }
        }
        if (!space) return;
        space->unmap_object_pages(*this, first, count, even_private_copies);
        AddressSpace::release(space);
    }
}

}  // namespace vm
