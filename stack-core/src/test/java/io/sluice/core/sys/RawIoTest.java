package io.sluice.core.sys;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class RawIoTest {

    @Test
    void readsAndWritesThroughAnAddressAndReportsWouldBlock() throws Exception {
        try (EventFd efd = EventFd.create(0, EventFd.EFD_NONBLOCK); Arena arena = Arena.ofConfined()) {
            MemorySegment word = arena.allocate(8);
            int fd = efd.fd().intValue();
            word.set(JAVA_LONG, 0, 5L);
            assertEquals(8, RawIo.write(fd, word.address(), 8));
            word.set(JAVA_LONG, 0, 0L);
            assertEquals(8, RawIo.read(fd, word.address(), 8));
            assertEquals(5L, word.get(JAVA_LONG, 0));
            assertEquals(Fds.WOULD_BLOCK, RawIo.read(fd, word.address(), 8), "the counter is back at zero");
            SyscallException tooShort = assertThrows(SyscallException.class, () -> RawIo.read(fd, word.address(), 4));
            assertEquals(Errno.EINVAL, tooShort.errno());
        }
    }

    @Test
    void aNullAddressIsRefusedBeforeTheKernelSeesIt() {
        assertThrows(IllegalArgumentException.class, () -> RawIo.read(0, 0L, 8));
        assertThrows(IllegalArgumentException.class, () -> RawIo.write(0, 8L, -1));
    }
}
