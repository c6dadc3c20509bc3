package io.sluice.core.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SharedMemoryTest {

    private static final long SIZE = 64 * 1024;

    @Test
    void memfdMappedTwiceSeesTheSameBytes() throws Exception {
        try (NativeFd fd = MemFd.create("sluice-test", MemFd.MFD_CLOEXEC)) {
            MemFd.truncate(fd, SIZE);
            assertEquals(SIZE, MemFd.size(fd));
            try (SharedMemory a = SharedMemory.map(fd, SIZE); SharedMemory b = SharedMemory.map(fd, SIZE)) {
                assertTrue(a.segment().address() != b.segment().address(), "two distinct mappings");
                assertEquals(0, b.segment().get(JAVA_LONG, SIZE - 8), "a new memfd reads as zeros");
                a.segment().set(JAVA_LONG, SIZE - 8, 0x5eed_cafe_f00dL);
                b.segment().set(JAVA_LONG, 0, 77);
                assertEquals(0x5eed_cafe_f00dL, b.segment().get(JAVA_LONG, SIZE - 8));
                assertEquals(77, a.segment().get(JAVA_LONG, 0));
            }
        }
    }

    @Test
    void mappingSurvivesClosingTheDescriptor() throws Exception {
        NativeFd fd = MemFd.create("sluice-test", MemFd.MFD_CLOEXEC);
        MemFd.truncate(fd, SIZE);
        try (SharedMemory mapping = SharedMemory.map(fd, SIZE)) {
            fd.close();
            mapping.segment().set(JAVA_LONG, 8, 123);
            assertEquals(123, mapping.segment().get(JAVA_LONG, 8));
        }
    }

    @Test
    void closedMappingIsNoLongerAccessibleAndIsUnmapped() throws Exception {
        try (NativeFd fd = MemFd.create("sluice-test", MemFd.MFD_CLOEXEC)) {
            MemFd.truncate(fd, SIZE);
            SharedMemory mapping = SharedMemory.map(fd, SIZE);
            String range = Long.toHexString(mapping.segment().address()) + "-";
            assertTrue(mappedRanges().contains(range), "/proc/self/maps lists the mapping");
            mapping.close();
            mapping.close();
            assertFalse(mapping.isMapped());
            assertThrows(IllegalStateException.class, () -> mapping.segment().get(JAVA_LONG, 0));
            assertFalse(mappedRanges().contains(range), "munmap removed it from /proc/self/maps");
        }
    }

    @Test
    void readOnlyMappingRefusesWrites() throws Exception {
        try (NativeFd fd = MemFd.create("sluice-test", MemFd.MFD_CLOEXEC)) {
            MemFd.truncate(fd, SIZE);
            try (SharedMemory writer = SharedMemory.map(fd, SIZE);
                    SharedMemory reader = SharedMemory.map(fd, 0, SIZE, SharedMemory.PROT_READ)) {
                writer.segment().set(JAVA_LONG, 16, 5);
                assertEquals(5, reader.segment().get(JAVA_LONG, 16));
                assertThrows(IllegalArgumentException.class, () -> reader.segment().set(JAVA_LONG, 16, 6));
            }
        }
    }

    @Test
    void mappingPastTheEndOfTheFileIsRefused() throws Exception {
        try (NativeFd fd = MemFd.create("sluice-test", MemFd.MFD_CLOEXEC)) {
            MemFd.truncate(fd, 4096);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SharedMemory.map(fd, 8192));
            assertTrue(e.getMessage().contains("8192") && e.getMessage().contains("4096"), e.getMessage());
        }
    }

    @Test
    void badSizesAndOffsetsAreRejected() throws Exception {
        try (NativeFd fd = MemFd.create("sluice-test", MemFd.MFD_CLOEXEC)) {
            MemFd.truncate(fd, SIZE);
            assertThrows(IllegalArgumentException.class, () -> SharedMemory.map(fd, 0));
            assertThrows(IllegalArgumentException.class, () -> SharedMemory.map(fd, -1));
            IllegalArgumentException offset = assertThrows(IllegalArgumentException.class,
                    () -> SharedMemory.map(fd, 100, 4096, SharedMemory.PROT_READ));
            assertTrue(offset.getMessage().contains("100"), offset.getMessage());
            assertThrows(IllegalArgumentException.class, () -> MemFd.truncate(fd, -5));
        }
    }

    @Test
    void mmapFailureReportsErrno() throws Exception {
        try (NativeFd fd = MemFd.create("sluice-test", MemFd.MFD_CLOEXEC | MemFd.MFD_ALLOW_SEALING)) {
            MemFd.truncate(fd, SIZE);
            MemFd.addSeals(fd, MemFd.F_SEAL_WRITE);
            SyscallException e = assertThrows(SyscallException.class, () -> SharedMemory.map(fd, SIZE));
            assertEquals("mmap", e.call());
            assertEquals(Errno.EPERM, e.errno(), "a write-sealed memfd refuses a writable shared mapping");
            assertTrue(e.getMessage().contains("fd=" + fd.intValue()), e.getMessage());
            try (SharedMemory reader = SharedMemory.map(fd, 0, SIZE, SharedMemory.PROT_READ)) {
                assertEquals(0, reader.segment().get(JAVA_LONG, 0));
            }
        }
    }

    @Test
    void shrinkSealStopsTruncation() throws Exception {
        try (NativeFd fd = MemFd.create("sluice-test", MemFd.MFD_CLOEXEC | MemFd.MFD_ALLOW_SEALING)) {
            MemFd.truncate(fd, SIZE);
            MemFd.addSeals(fd, MemFd.F_SEAL_SHRINK | MemFd.F_SEAL_SEAL);
            assertEquals(MemFd.F_SEAL_SHRINK | MemFd.F_SEAL_SEAL, MemFd.seals(fd));
            SyscallException e = assertThrows(SyscallException.class, () -> MemFd.truncate(fd, 4096));
            assertEquals(Errno.EPERM, e.errno());
            assertEquals(SIZE, MemFd.size(fd));
        }
    }

    @Test
    void memfdNamesAreChecked() throws Exception {
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> MemFd.create("x".repeat(250), 0));
        assertTrue(tooLong.getMessage().contains("250") && tooLong.getMessage().contains("249"),
                tooLong.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MemFd.create(null, 0));
        assertThrows(IllegalArgumentException.class, () -> MemFd.create("a\0b", 0));
        try (NativeFd fd = MemFd.create("sluice-named", MemFd.MFD_CLOEXEC)) {
            String link = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd.intValue())).toString();
            assertEquals("/memfd:sluice-named (deleted)", link);
        }
    }

    @Test
    void fstatSeesARegularFile() throws Exception {
        try (NativeFd fd = MemFd.create("sluice-test", MemFd.MFD_CLOEXEC); EventFd efd = EventFd.create(0, 0)) {
            MemFd.truncate(fd, 12345);
            FileStat stat = FileStat.of(fd);
            assertTrue(stat.isRegularFile());
            assertEquals(12345, stat.size());
            assertFalse(FileStat.of(efd.fd()).isRegularFile());
        }
    }

    @Test
    void statLayoutsMatchTheKernelHeaders() {
        assertEquals(144, FileStat.STAT_X86_64.byteSize());
        assertEquals(128, FileStat.STAT_AARCH64.byteSize());
        assertEquals(24, FileStat.STAT_X86_64.byteOffset(groupElement("st_mode")));
        assertEquals(16, FileStat.STAT_AARCH64.byteOffset(groupElement("st_mode")));
        assertEquals(48, FileStat.STAT_AARCH64.byteOffset(groupElement("st_size")));
        assertEquals(48, FileStat.ST_SIZE_OFFSET);
    }

    private static String mappedRanges() throws Exception {
        return Files.readString(Path.of("/proc/self/maps"));
    }
}
