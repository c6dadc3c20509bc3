package io.sluice.core.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EpollTest {

    private static final long DATA = 0xabcd_ef01_2345_6789L;

    private Epoll epoll;
    private EventFd efd;

    @BeforeEach
    void open() throws Exception {
        epoll = Epoll.create(8);
        efd = EventFd.create(0, EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC);
    }

    @AfterEach
    void close() throws Exception {
        efd.close();
        epoll.close();
    }

    @Test
    void timesOutWhenNothingIsReady() throws Exception {
        epoll.add(efd.fd(), Epoll.EPOLLIN, DATA);
        assertEquals(0, epoll.waitFor(0));
        long start = System.nanoTime();
        assertEquals(0, epoll.waitFor(30));
        assertTrue(System.nanoTime() - start >= 25_000_000L, "epoll_wait slept for its timeout");
        assertThrows(IndexOutOfBoundsException.class, () -> epoll.events(0));
    }

    @Test
    void reportsReadinessWithTheRegisteredData() throws Exception {
        epoll.add(efd.fd(), Epoll.EPOLLIN, DATA);
        efd.write(1);
        assertEquals(1, epoll.waitFor(1000));
        assertEquals(Epoll.EPOLLIN, epoll.events(0));
        assertEquals(DATA, epoll.data(0), "all 64 bits of data come back");
        assertEquals(1, epoll.waitFor(0), "level-triggered: still readable");
        efd.read();
        assertEquals(0, epoll.waitFor(0), "drained");
    }

    @Test
    void wakesAWaiterBlockedInAnotherThread() throws Exception {
        epoll.add(efd.fd(), Epoll.EPOLLIN, 7);
        Thread writer = Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(50);
                efd.write(1);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        assertEquals(1, epoll.waitFor(-1));
        assertEquals(7, epoll.data(0));
        writer.join();
    }

    @Test
    void modifyChangesInterestAndData() throws Exception {
        epoll.add(efd.fd(), Epoll.EPOLLIN, 1);
        assertEquals(0, epoll.waitFor(0));
        epoll.modify(efd.fd(), Epoll.EPOLLOUT, 2);
        assertEquals(1, epoll.waitFor(0), "an eventfd with room is writable");
        assertEquals(Epoll.EPOLLOUT, epoll.events(0));
        assertEquals(2, epoll.data(0));
    }

    @Test
    void deleteStopsReporting() throws Exception {
        epoll.add(efd.fd(), Epoll.EPOLLIN, DATA);
        efd.write(1);
        epoll.delete(efd.fd());
        assertEquals(0, epoll.waitFor(0));
        SyscallException e = assertThrows(SyscallException.class, () -> epoll.delete(efd.fd()));
        assertEquals(Errno.ENOENT, e.errno());
        assertTrue(e.getMessage().contains("EPOLL_CTL_DEL"), e.getMessage());
    }

    @Test
    void addingTwiceFailsWithEexist() throws Exception {
        epoll.add(efd.fd(), Epoll.EPOLLIN, DATA);
        SyscallException e = assertThrows(SyscallException.class, () -> epoll.add(efd.fd(), Epoll.EPOLLIN, DATA));
        assertEquals(Errno.EEXIST, e.errno());
        assertTrue(e.getMessage().startsWith("epoll_ctl(epfd=" + epoll.fd().intValue()), e.getMessage());
    }

    @Test
    void edgeTriggeredReportsAChangeOnce() throws Exception {
        epoll.add(efd.fd(), Epoll.EPOLLIN | Epoll.EPOLLET, DATA);
        efd.write(1);
        assertEquals(1, epoll.waitFor(0));
        assertEquals(0, epoll.waitFor(0), "no new edge");
        efd.write(1);
        assertEquals(1, epoll.waitFor(0), "a new write is a new edge");
    }

    @Test
    void oneShotDisarmsUntilModified() throws Exception {
        epoll.add(efd.fd(), Epoll.EPOLLIN | Epoll.EPOLLONESHOT, DATA);
        efd.write(1);
        assertEquals(1, epoll.waitFor(0));
        assertEquals(0, epoll.waitFor(0), "disarmed");
        epoll.modify(efd.fd(), Epoll.EPOLLIN | Epoll.EPOLLONESHOT, DATA);
        assertEquals(1, epoll.waitFor(0), "re-armed");
    }

    @Test
    void reportsManyDescriptorsUpToCapacity() throws Exception {
        EventFd[] more = new EventFd[10];
        try {
            for (int i = 0; i < more.length; i++) {
                more[i] = EventFd.create(1, EventFd.EFD_NONBLOCK);
                epoll.add(more[i].fd(), Epoll.EPOLLIN, 100 + i);
            }
            assertEquals(8, epoll.waitFor(0), "capacity is 8");
            long seen = 0;
            for (int i = 0; i < 8; i++) {
                seen |= 1L << (epoll.data(i) - 100);
            }
            assertEquals(8, Long.bitCount(seen), "eight different descriptors");
        } finally {
            for (EventFd e : more) {
                if (e != null) {
                    e.close();
                }
            }
        }
    }

    @Test
    void capacityIsChecked() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Epoll.create(0));
        assertTrue(e.getMessage().contains("0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Epoll.create(Epoll.MAX_EVENTS + 1));
    }

    @Test
    void eventLayoutIsPackedOnX8664Only() {
        assertEquals(12, Epoll.EPOLL_EVENT_X86_64.byteSize());
        assertEquals(4, Epoll.EPOLL_EVENT_X86_64.byteOffset(groupElement("data")));
        assertEquals(16, Epoll.EPOLL_EVENT_AARCH64.byteSize());
        assertEquals(8, Epoll.EPOLL_EVENT_AARCH64.byteOffset(groupElement("data")));
    }
}
