package io.sluice.session.msg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SessionMessageTest {

    private final MemorySegment slot = Arena.ofAuto().allocate(64, 64);
    private static final long AT = 8; // a payload starts after the slot's sequence word

    @Test
    void everyFieldReadsBackWhatWasWrittenWithoutTouchingItsNeighbours() {
        slot.fill((byte) 0x5a);
        SessionMessage.begin(slot, AT, SessionMessage.ACCEPTED);
        SessionMessage.setStatus(slot, AT, SessionStatus.TIMED_OUT);
        SessionMessage.setContext(slot, AT, -7);
        SessionMessage.setHandle(slot, AT, Long.MIN_VALUE | 3);
        SessionMessage.setAddress(slot, AT, 0xC6120002, 65535);
        SessionMessage.setFlags(slot, AT, SessionMessage.FLAG_CUT_THROUGH);
        SessionMessage.setValue(slot, AT, 1 << 31);
        SessionMessage.setLocal(slot, AT, 0xC6120001, 1);
        SessionMessage.setAppWorker(slot, AT, 65535);
        SessionMessage.setFifos(slot, AT, 0xFFFF_FFFFL, 64, 1L << 31);
        SessionMessage.setOtherHandle(slot, AT, -2);

        assertEquals(SessionMessage.ACCEPTED, SessionMessage.type(slot, AT));
        assertEquals(SessionStatus.TIMED_OUT, SessionStatus.ofCode(SessionMessage.status(slot, AT)));
        assertEquals(-7, SessionMessage.context(slot, AT));
        assertEquals(Long.MIN_VALUE | 3, SessionMessage.handle(slot, AT));
        assertEquals(0xC6120002, SessionMessage.address(slot, AT));
        assertEquals(65535, SessionMessage.port(slot, AT));
        assertEquals(SessionMessage.FLAG_CUT_THROUGH, SessionMessage.flags(slot, AT));
        assertEquals(1 << 31, SessionMessage.value(slot, AT));
        assertEquals(0xC6120001, SessionMessage.localAddress(slot, AT));
        assertEquals(1, SessionMessage.localPort(slot, AT));
        assertEquals(65535, SessionMessage.appWorker(slot, AT));
        assertEquals(0xFFFF_FFFFL, SessionMessage.segmentId(slot, AT));
        assertEquals(64, SessionMessage.txOffset(slot, AT));
        assertEquals(1L << 31, SessionMessage.rxOffset(slot, AT));
        assertEquals(-2, SessionMessage.otherHandle(slot, AT));
        assertEquals(0x5a5a5a5a5a5a5a5aL, slot.get(ValueLayout.JAVA_LONG, 0),
                "the sequence word before the payload is untouched");
    }

    @Test
    void aFifoOffsetBeyond32BitsIsRefusedNotTruncated() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SessionMessage.setFifos(slot, AT, 1, 1L << 32, 0));
        assertEquals("tx offset 4294967296 does not fit 32 bits", e.getMessage());
    }

    @Test
    void beginClearsWhatAnEarlierMessageLeftInTheSlot() {
        SessionMessage.begin(slot, AT, SessionMessage.CONNECTED);
        SessionMessage.setOtherHandle(slot, AT, 99);
        SessionMessage.begin(slot, AT, SessionMessage.BOUND);
        assertEquals(0, SessionMessage.otherHandle(slot, AT));
        assertEquals(SessionStatus.OK.code(), SessionMessage.status(slot, AT));
    }

    @Test
    void handlesPackEveryFieldAndDifferByGeneration() {
        long handle = SessionHandle.of(SessionHandle.KIND_SESSION, 63, SessionHandle.GENERATION_MASK, -1 >>> 1);
        assertEquals(SessionHandle.KIND_SESSION, SessionHandle.kind(handle));
        assertEquals(63, SessionHandle.worker(handle));
        assertEquals(SessionHandle.GENERATION_MASK, SessionHandle.generation(handle));
        assertEquals(Integer.MAX_VALUE, SessionHandle.index(handle));
        assertTrue(SessionHandle.of(SessionHandle.KIND_LISTENER, 0, 0, 0) != SessionHandle.NONE);
        assertTrue(SessionHandle.of(SessionHandle.KIND_SESSION, 1, 1, 5) != SessionHandle.of(
                SessionHandle.KIND_SESSION, 1, 2, 5), "a reused entry gets another handle");
        assertEquals(0, SessionHandle.generation(SessionHandle.of(SessionHandle.KIND_SESSION, 0,
                SessionHandle.GENERATION_MASK + 1, 0)), "generations wrap");
        assertEquals("session w1:5#2", SessionHandle.format(SessionHandle.of(SessionHandle.KIND_SESSION, 1, 2, 5)));
        assertThrows(IllegalArgumentException.class, () -> SessionHandle.of(0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> SessionHandle.of(SessionHandle.KIND_SESSION, 64, 0, 0));
    }

    @Test
    void statusCodesAreDistinctAndUnknownCodesAreNull() {
        Set<Integer> codes = new HashSet<>();
        for (SessionStatus status : SessionStatus.values()) {
            assertTrue(codes.add(status.code()), "code " + status.code() + " used twice");
            assertEquals(status, SessionStatus.ofCode(status.code()));
        }
        assertNull(SessionStatus.ofCode(999));
        assertNull(SessionStatus.ofCode(-1));
    }

    @Test
    void requestTypesAreTheApplicationsOnly() {
        for (int type = 0; type < 64; type++) {
            boolean request = SessionMessage.isRequest(type);
            boolean named = !SessionMessage.typeName(type).startsWith("type ");
            assertEquals(named && type < SessionMessage.BOUND, request, SessionMessage.typeName(type));
        }
    }
}
