package io.sluice.core.sys;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class FdsTest {

    @Test
    void closeOfAnInvalidDescriptorNamesCallErrnoAndArgument() {
        SyscallException e = assertThrows(SyscallException.class, () -> Fds.close(-1));
        assertTrue(e.getMessage().contains("close"), e.getMessage());
        assertTrue(e.getMessage().contains("EBADF"), e.getMessage());
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
        assertEquals("close(fd=-1) failed: EBADF (Bad file descriptor)", e.getMessage());
        assertEquals(Errno.EBADF, e.errno());
        assertEquals("close", e.call());
        assertEquals("EBADF", e.errnoName());
    }

    @Test
    void closingAnOwnedDescriptorTwiceClosesItOnce() throws Exception {
        EventFd efd = EventFd.create(0, 0);
        int raw = efd.fd().intValue();
        efd.fd().close();
        efd.fd().close();
        // A second close(2) of the number would have failed with EBADF (or closed someone else's descriptor).
        SyscallException e = assertThrows(SyscallException.class, () -> Fds.close(raw));
        assertEquals(Errno.EBADF, e.errno());
    }

    @Test
    void aDuplicateReachesTheSameEventFdAndClosesOnItsOwn() throws Exception {
        try (EventFd efd = EventFd.create(0, EventFd.EFD_NONBLOCK)) {
            NativeFd copy = efd.fd().duplicate();
            assertTrue(copy.intValue() != efd.fd().intValue(), "a new descriptor number");
            assertTrue(Fds.isCloseOnExec(copy.intValue()));
            EventFd other = EventFd.adopt(copy);
            other.write(5);
            other.close();
            assertFalse(copy.isOpen());
            assertEquals(5, efd.read(), "the write through the duplicate reached the original's counter");
        }
    }

    @Test
    void fcntlFlagsRoundTrip() throws Exception {
        try (EventFd efd = EventFd.create(0, 0)) {
            int fd = efd.fd().intValue();
            assertFalse(Fds.isNonBlocking(fd));
            assertFalse(Fds.isCloseOnExec(fd));
            Fds.setNonBlocking(fd, true);
            Fds.setCloseOnExec(fd, true);
            assertTrue(Fds.isNonBlocking(fd));
            assertTrue(Fds.isCloseOnExec(fd));
            Fds.setNonBlocking(fd, false);
            assertFalse(Fds.isNonBlocking(fd));
        }
    }

    @Test
    void readAndWriteMoveBytesAndReportWouldBlock() throws Exception {
        try (EventFd efd = EventFd.create(0, EventFd.EFD_NONBLOCK); Arena arena = Arena.ofConfined()) {
            MemorySegment eight = arena.allocate(8);
            assertEquals(Fds.WOULD_BLOCK, efd.fd().read(eight));
            eight.set(JAVA_LONG, 0, 9);
            assertEquals(8, efd.fd().write(eight));
            eight.fill((byte) 0);
            assertEquals(8, efd.fd().read(eight));
            assertEquals(9, eight.get(JAVA_LONG, 0));
            SyscallException e = assertThrows(SyscallException.class, () -> efd.fd().read(eight.asSlice(0, 4)));
            assertEquals(Errno.EINVAL, e.errno(), "an eventfd read needs 8 bytes");
            assertTrue(e.getMessage().startsWith("read(fd=" + efd.fd().intValue() + ", count=4)"), e.getMessage());
        }
    }

    @Test
    void errnoTableNamesAndDescribes() {
        assertEquals("EAGAIN", Errno.name(Errno.EWOULDBLOCK));
        assertEquals("EOPNOTSUPP", Errno.name(Errno.ENOTSUP));
        assertEquals("Connection refused", Errno.message(111));
        assertEquals("errno 9999", Errno.name(9999));
        assertEquals("Unknown error 0", Errno.message(0));
    }

    @Test
    void adoptRejectsNegativeNumbers() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NativeFd.adopt(-3));
        assertTrue(e.getMessage().contains("-3"), e.getMessage());
    }
}
