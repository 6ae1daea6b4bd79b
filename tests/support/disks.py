"""Real file-system faults for the storage tests: a small tmpfs to fill to the last byte, and an ext4 image on
a loop device that the kernel turns read-only under open files, as it does when a disk reports errors.
Both need root (CI runs as root); tests skip without it."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _need_root(what: str) -> None:
    if os.geteuid() != 0:
        pytest.skip(f"{what} needs root")


@contextmanager
def small_tmpfs(folder: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` (e.g. "2m") mounted on `folder` for the block, unmounted after it."""
    _need_root("mounting a tmpfs")
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path) -> Path:
    """Fill the file system of `folder` to the last byte with one file; returns its path (unlink it to make
    room again)."""
    filler = folder / "filler"
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        for size in (65536, 1):
            try:
                while True:
                    os.write(descriptor, b"\0" * size)
            except OSError:
                pass
    finally:
        os.close(descriptor)
    return filler


class Ext4Disk:
    """An ext4 file system in an image file, mounted with errors=remount-ro. `fail` makes the kernel record an
    error on it (through ext4's own trigger_fs_error switch): the journal is aborted and the file system
    becomes read-only under the files that are open, exactly as after a real disk error. Only unmounting,
    checking (e2fsck) and mounting again brings it back."""

    def __init__(self, image: Path, mount: Path) -> None:
        self.image = image
        self.mount = mount

    def create(self, size_mb: int = 32) -> None:
        _need_root("mounting a loop device")
        with self.image.open("wb") as file:
            file.truncate(size_mb * 1024 * 1024)
        subprocess.run(["mkfs.ext4", "-q", "-F", str(self.image)], check=True)
        self.mount.mkdir(parents=True, exist_ok=True)
        self.attach()

    def attach(self) -> None:
        subprocess.run(["mount", "-o", "loop,errors=remount-ro", str(self.image), str(self.mount)], check=True)

    def _device(self) -> str:
        source = subprocess.run(["findmnt", "-n", "-o", "SOURCE", str(self.mount)], check=True,
                                capture_output=True, text=True).stdout.strip()
        return Path(source).name

    def fail(self) -> None:
        switch = Path("/sys/fs/ext4") / self._device() / "trigger_fs_error"
        if not switch.exists():
            pytest.skip("this kernel's ext4 has no trigger_fs_error switch")
        switch.write_text("a test turns this disk read-only\n")

    def repair(self) -> None:
        """Unmount, check and mount again: the disk is writable once more (what an operator does)."""
        self.detach()
        result = subprocess.run(["e2fsck", "-fy", str(self.image)], capture_output=True, text=True)
        assert result.returncode in (0, 1), result.stdout + result.stderr  # 1: errors found and corrected
        self.attach()

    def detach(self) -> None:
        subprocess.run(["umount", str(self.mount)], check=False)


@contextmanager
def ext4_disk(folder: Path) -> Iterator[Ext4Disk]:
    disk = Ext4Disk(folder / "disk.img", folder / "disk")
    disk.create()
    try:
        yield disk
    finally:
        disk.detach()
