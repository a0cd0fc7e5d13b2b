# The front door. A newcomer types `make run` or `make test`; each installs
# (as root) or names (otherwise) the Debian packages it needs first.
#
#   make            build both kernels, the loader, the ESP trees and disk images:
#                   build/esp + disk.img (release kernel), build/esp-test +
#                   disk-test.img (checked kernel: DEBUG_ASSERT, UBSan, tests)
#   make run        boot build/disk.img in QEMU (q35, OVMF, TCG)
#   make test       host unit tests + in-kernel tests + scenario boots (CTest)
#   make debug      QEMU halted with a GDB stub, and GDB attached
#   make screenshot boot to the shell, type a short tour into tty1's shell, save
#                   the framebuffer to docs/screenshot.png
#   make bench      host benchmarks (bench/, Google Benchmark), boot and SMP
#                   costs under QEMU -icount (tools/measure_boot.py,
#                   tools/measure_smp.py, tools/measure_sched.py), and the user benchmark beside
#                   Debian's Linux 6.1 (tools/linux_reference.py)
#
# Variables: BUILD=dir (default build), KVM=1 (use KVM instead of TCG),
# SMP=n, MEM=size, CMDLINE="test=all" (for run/debug/screenshot),
# KERNEL=checked (run/debug/screenshot the checked kernel; default release),
# TESTS="regex" (ctest -R), OPT_IN=1 (make test also runs the opt-in scenarios:
# more machine shapes of what it covers once; their CTest label is opt-in),
# ROOTFS_OVERLAY=dir (copied over rootfs/ into build/initramfs.cpio),
# LIMINE_EFI=/path/BOOTX64.EFI (boot through a real Limine 8.x; set it on the
# first make of a build directory, or `make clean` first).
BUILD ?= build
JOBS ?= $(shell nproc)
PYTHON ?= python3
SMP ?= 2
MEM ?= 512M
CMDLINE ?=
KERNEL ?= release
ifeq ($(KERNEL),release)
ESP = $(BUILD)/esp
IMAGE = $(BUILD)/disk.img
KERNEL_ELF = $(BUILD)/kernel.elf
else ifeq ($(KERNEL),checked)
ESP = $(BUILD)/esp-test
IMAGE = $(BUILD)/disk-test.img
KERNEL_ELF = $(BUILD)/kernel-checked.elf
else
$(error KERNEL=$(KERNEL): the kernels are release and checked)
endif
QEMU_FLAGS = --image $(IMAGE) --esp $(ESP) --smp $(SMP) --mem $(MEM) $(if $(KVM),--kvm) \
	$(if $(CMDLINE),--cmdline "$(CMDLINE)")

CMAKE_CONFIGURE = cmake -S . -B $(BUILD) -G Ninja \
	-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_ASM_COMPILER=clang \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo -DLIMINE_EFI=$(abspath $(LIMINE_EFI)) \
	$(if $(ROOTFS_OVERLAY),-DROOTFS_OVERLAY=$(abspath $(ROOTFS_OVERLAY)))

.PHONY: all build run test debug bench screenshot clean distclean format

all: build

$(BUILD)/build.ninja:
	@tools/deps.sh build test
	$(CMAKE_CONFIGURE)

build: $(BUILD)/build.ninja
	$(if $(LIMINE_EFI)$(ROOTFS_OVERLAY),$(CMAKE_CONFIGURE) >/dev/null)
	cmake --build $(BUILD) -j $(JOBS)
	@ln -sf $(BUILD)/compile_commands.json compile_commands.json 2>/dev/null || true

run:
	@tools/deps.sh build run
	@$(MAKE) --no-print-directory build
	$(PYTHON) tools/qemu.py run $(QEMU_FLAGS)

debug:
	@tools/deps.sh build debug
	@$(MAKE) --no-print-directory build
	$(PYTHON) tools/qemu.py debug $(QEMU_FLAGS) --kernel-elf $(KERNEL_ELF)

test:
	@tools/deps.sh build test
	@$(MAKE) --no-print-directory build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) $(if $(TESTS),-R "$(TESTS)") $(if $(OPT_IN),,-LE opt-in)

screenshot:
	@tools/deps.sh build run
	@$(MAKE) --no-print-directory build
	$(PYTHON) tools/qemu.py screenshot $(QEMU_FLAGS) --out docs/screenshot.png \
		--wait-for '[cxxkernel] ~ # ' --timeout 300 \
		--type 'clear\nuname -a; nproc; free -m; ps; df -h\n' --screen-has '(?s)Filesystem.*~ #\s*$$'

# The build directory may have been configured before the benchmark packages
# were installed (make test first on a fresh machine): configure it again,
# keeping its cache (LIMINE_EFI and all), which searches again for what was
# not found then, so any order of targets works.
bench:
	@tools/deps.sh build bench
	@$(MAKE) --no-print-directory build
	@cmake -S . -B $(BUILD) >/dev/null
	cmake --build $(BUILD) --target benchmarks -j $(JOBS)
	$(BUILD)/benchmarks
	$(PYTHON) tools/measure_boot.py --image $(BUILD)/disk.img
	$(PYTHON) tools/measure_smp.py --esp $(BUILD)/esp --cpus 1,2,4
	$(PYTHON) tools/measure_sched.py --esp $(BUILD)/esp --cpus 1,2
	$(PYTHON) tools/linux_reference.py --build $(BUILD)

format:
	find lib loader kernel protocol -name '*.cpp' -o -name '*.hpp' | xargs clang-format -i

clean:
	rm -rf $(BUILD)
