#!/usr/bin/env bash
# make-disk-image.sh ESP_DIR IMAGE [SIZE_MIB]
# Writes a GPT disk image with one FAT32 EFI system partition holding the
# contents of ESP_DIR, using only Debian's gdisk (sgdisk) and mtools: no root,
# no loop devices. The result boots in QEMU/OVMF and from a USB stick.
set -euo pipefail
esp_dir=$1
image=$2
size_mib=${3:-64}

[ -d "$esp_dir" ] || { echo "make-disk-image: no ESP directory '$esp_dir'" >&2; exit 1; }
tmp="$image.tmp"
rm -f "$tmp"
truncate -s "${size_mib}M" "$tmp"
# Partition 1 from sector 2048 (1 MiB) to the end, type EF00 (EFI system).
sgdisk --clear --new=1:2048:0 --typecode=1:ef00 --change-name=1:ESP "$tmp" >/dev/null
part_sectors=$(( size_mib * 2048 - 2048 - 34 ))
export MTOOLS_SKIP_CHECK=1
mformat -i "$tmp@@1M" -F -T "$part_sectors" -v ESP ::
# Copy each top-level entry recursively (mcopy -s), keeping names as they are.
for entry in "$esp_dir"/*; do
  mcopy -s -Q -i "$tmp@@1M" "$entry" ::/
done
mv "$tmp" "$image"
