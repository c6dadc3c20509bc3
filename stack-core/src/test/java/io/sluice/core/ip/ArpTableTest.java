package io.sluice.core.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.buffer.BufferCache;
import io.sluice.core.buffer.BufferPool;
import io.sluice.core.buffer.BufferPoolConfig;
import io.sluice.core.timer.TimerWheel;
import io.sluice.core.wire.Arp;
import io.sluice.core.wire.Ip4Address;
import io.sluice.core.wire.MacAddress;
import java.lang.foreign.MemorySegment;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The ARP table's decisions, with explicit time and real buffers from a small pool. */
class ArpTableTest {

    private static final long MS = 1_000_000L;
    private static final long S = ArpSettings.SECOND;
    private static final int IF = 1;
    private static final int LOCAL_IP = 0xc612_0001; // 198.18.0.1
    private static final int PEER_IP = 0xc612_0002; // 198.18.0.2
    private static final int OTHER_IP = 0xc612_0003; // 198.18.0.3
    private static final long LOCAL_MAC = 0x0200_0000_0001L;
    private static final long PEER_MAC = 0x0200_0000_0002L;
    private static final long NEW_MAC = 0x0200_0000_0022L;

    private final BufferPool pool = BufferPool.create(new BufferPoolConfig(32, 256, 64, 8));
    private final BufferCache cache = pool.newCache();
    private final int inUseAtStart = pool.buffersInUse();
    private final TimerWheel wheel = TimerWheel.withDefaults(64, 0);
    private final RecordingEvents events = new RecordingEvents(cache);
    private ArpTable table = new ArpTable(ArpSettings.defaults(16), wheel, events);

    @AfterEach
    void close() {
        cache.close();
        pool.close();
    }

    private int buffer() {
        int b = cache.allocate();
        assertTrue(b != BufferPool.NO_BUFFER);
        return b;
    }

    @Test
    void firstMissAsksForRequestAndQueuesThePacket() {
        int b = buffer();
        assertEquals(ArpTable.PENDING_SEND_REQUEST, table.resolve(IF, PEER_IP, b, 0));
        assertEquals(ArpTable.INCOMPLETE, table.state(IF, PEER_IP));
        assertEquals(1, table.pendingCount(IF, PEER_IP));
        assertEquals(1, table.misses());
        assertEquals(1, table.requestsAsked());
        assertEquals(-1, table.macOf(IF, PEER_IP));
    }

    @Test
    void requestsAreLimitedToOnePerSecondPerAddress() {
        table.resolve(IF, PEER_IP, buffer(), 0);
        assertEquals(ArpTable.PENDING, table.resolve(IF, PEER_IP, buffer(), 500 * MS));
        wheel.advance(999 * MS, table);
        assertEquals(ArpTable.PENDING, table.resolve(IF, PEER_IP, buffer(), 999 * MS));
        assertTrue(events.requests.isEmpty());
        assertEquals(1, table.requestsAsked());

        wheel.advance(S + MS, table);
        assertEquals(List.of(new RecordingEvents.Request(IF, PEER_IP, MacAddress.BROADCAST)), events.requests);
        assertEquals(2, table.requestsAsked());
        wheel.advance(S + 900 * MS, table);
        assertEquals(1, events.requests.size());
        wheel.advance(2 * S + 2 * MS, table);
        assertEquals(2, events.requests.size());
        // Another address has its own limit.
        assertEquals(ArpTable.PENDING_SEND_REQUEST, table.resolve(IF, OTHER_IP, BufferPool.NO_BUFFER, 2 * S));
    }

    @Test
    void unansweredRequestsFailTheEntryAndHandBackEveryQueuedBufferOnce() {
        int[] queued = {buffer(), buffer(), buffer()};
        table.resolve(IF, PEER_IP, queued[0], 0);
        table.resolve(IF, PEER_IP, queued[1], 100 * MS);
        wheel.advance(S + MS, table);
        table.resolve(IF, PEER_IP, queued[2], 1500 * MS);
        wheel.advance(2 * S + 2 * MS, table);
        assertEquals(2, events.requests.size()); // 3 requests in all with the first miss's
        assertEquals(ArpTable.INCOMPLETE, table.state(IF, PEER_IP));
        assertTrue(events.dropped.isEmpty());

        wheel.advance(3 * S + 3 * MS, table);
        assertEquals(ArpTable.FREE, table.state(IF, PEER_IP));
        assertEquals(3, table.requestsAsked());
        assertEquals(1, table.failures());
        assertEquals(3, table.failedPackets());
        assertEquals(3, events.dropped.size());
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            RecordingEvents.Dropped d = events.dropped.get(i);
            assertEquals(ArpDropReason.ARP_FAILED, d.reason());
            assertEquals(queued[i], d.buffer());
            assertTrue(seen.add(d.buffer()));
        }
        assertEquals(inUseAtStart, pool.buffersInUse());
        assertEquals(0, table.size());
        wheel.advance(60 * S, table);
        assertEquals(3, events.dropped.size());
        assertEquals(0, table.staleTimers());
        // The next packet starts over.
        assertEquals(ArpTable.PENDING_SEND_REQUEST, table.resolve(IF, PEER_IP, BufferPool.NO_BUFFER, 61 * S));
    }

    @Test
    void replyReleasesThePendingPacketsInOrderWithTheLearnedMac() {
        int[] queued = {buffer(), buffer(), buffer()};
        for (int b : queued) {
            table.resolve(IF, PEER_IP, b, 10 * MS);
        }
        assertEquals(ArpTable.LEARN_UPDATED, table.learn(IF, PEER_IP, PEER_MAC, true, 20 * MS));
        assertEquals(3, events.sent.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(new RecordingEvents.Sent(IF, queued[i], PEER_MAC), events.sent.get(i));
        }
        assertEquals(ArpTable.REACHABLE, table.state(IF, PEER_IP));
        assertEquals(0, table.pendingCount(IF, PEER_IP));
        assertEquals(PEER_MAC, table.resolve(IF, PEER_IP, buffer(), 30 * MS));
        assertEquals(1, table.hits());
        assertEquals(1, table.repliesLearned());
        // No retransmission or failure after resolution.
        wheel.advance(10 * S, table);
        assertTrue(events.requests.isEmpty());
        assertTrue(events.dropped.isEmpty());
    }

    @Test
    void aFullPendingQueueRefusesTheNewestPacket() {
        int[] queued = new int[4];
        for (int i = 0; i < 4; i++) {
            queued[i] = buffer();
            table.resolve(IF, PEER_IP, queued[i], i);
        }
        int extra = buffer();
        long result = table.resolve(IF, PEER_IP, extra, 5);
        assertEquals(ArpTable.DROP_QUEUE_FULL, result);
        assertEquals(ArpDropReason.ARP_QUEUE_FULL, ArpTable.dropReason(result));
        assertEquals("arp-queue-full", ArpTable.dropReason(result).symbol());
        assertEquals(1, table.pendingDrops());
        assertEquals(4, table.pendingCount(IF, PEER_IP));
        assertTrue(cache.free(extra)); // the caller still owned it
        table.learn(IF, PEER_IP, PEER_MAC, false, 6);
        assertEquals(4, events.sent.size());
        for (int i = 0; i < 4; i++) {
            assertEquals(queued[i], events.sent.get(i).buffer());
        }
        assertEquals(inUseAtStart, pool.buffersInUse());
    }

    @Test
    void mergeRuleCreatesOnlyWhenWeAreTheTarget() {
        MemorySegment mem = MemorySegment.ofArray(new byte[Arp.LENGTH]);
        Arp.emit(mem, 0, Arp.OP_REQUEST, PEER_MAC, PEER_IP, 0, OTHER_IP);
        assertEquals(ArpTable.LEARN_IGNORED, table.learnFrom(IF, mem, 0, LOCAL_IP, 0));
        assertEquals(ArpTable.FREE, table.state(IF, PEER_IP));
        assertEquals(0, table.size());

        Arp.emit(mem, 0, Arp.OP_REQUEST, PEER_MAC, PEER_IP, 0, LOCAL_IP);
        assertEquals(ArpTable.LEARN_CREATED, table.learnFrom(IF, mem, 0, LOCAL_IP, 0));
        assertEquals(ArpTable.REACHABLE, table.state(IF, PEER_IP));
        assertEquals(PEER_MAC, table.macOf(IF, PEER_IP));
        // Same key on another interface is another neighbour.
        assertEquals(ArpTable.FREE, table.state(IF + 1, PEER_IP));

        // Once present, a packet for someone else still updates it (merge), and the same MAC confirms.
        Arp.emit(mem, 0, Arp.OP_REQUEST, PEER_MAC, PEER_IP, 0, OTHER_IP);
        assertEquals(ArpTable.LEARN_CONFIRMED, table.learnFrom(IF, mem, 0, LOCAL_IP, S));
        Arp.emit(mem, 0, Arp.OP_REPLY, NEW_MAC, PEER_IP, LOCAL_MAC, LOCAL_IP);
        assertEquals(ArpTable.LEARN_UPDATED, table.learnFrom(IF, mem, 0, LOCAL_IP, 2 * S));
        assertEquals(NEW_MAC, table.macOf(IF, PEER_IP));
    }

    @Test
    void gratuitousArpUpdatesAnExistingEntryOnly() {
        MemorySegment mem = MemorySegment.ofArray(new byte[Arp.LENGTH]);
        Arp.emitGratuitous(mem, 0, NEW_MAC, PEER_IP);
        assertTrue(Arp.isGratuitous(mem, 0));
        assertEquals(ArpTable.LEARN_IGNORED, table.learnFrom(IF, mem, 0, LOCAL_IP, 0));
        assertEquals(0, table.size());

        table.learn(IF, PEER_IP, PEER_MAC, true, 0);
        assertEquals(ArpTable.LEARN_UPDATED, table.learnFrom(IF, mem, 0, LOCAL_IP, S));
        assertEquals(NEW_MAC, table.resolve(IF, PEER_IP, BufferPool.NO_BUFFER, S));
    }

    @Test
    void probesConflictsAndBadSendersTeachNothing() {
        MemorySegment mem = MemorySegment.ofArray(new byte[Arp.LENGTH]);
        Arp.emit(mem, 0, Arp.OP_REQUEST, PEER_MAC, 0, 0, LOCAL_IP); // RFC 5227 probe
        assertEquals(ArpTable.LEARN_INVALID, table.learnFrom(IF, mem, 0, LOCAL_IP, 0));
        Arp.emit(mem, 0, Arp.OP_REPLY, PEER_MAC, LOCAL_IP, 0, LOCAL_IP);
        assertEquals(ArpTable.LEARN_CONFLICT, table.learnFrom(IF, mem, 0, LOCAL_IP, 0));
        assertEquals(ArpTable.LEARN_INVALID, table.learn(IF, PEER_IP, MacAddress.BROADCAST, true, 0));
        assertEquals(ArpTable.LEARN_INVALID, table.learn(IF, 0xe000_0001, PEER_MAC, true, 0));
        assertEquals(0, table.size());
        assertEquals(3, table.invalidSenders());
        assertEquals(1, table.addressConflicts());
    }

    @Test
    void reachableEntriesAgeToStaleThenPollThenGo() {
        table.learn(IF, PEER_IP, PEER_MAC, true, 0);
        long reachable = ArpSettings.DEFAULT_REACHABLE_NANOS;
        wheel.advance(reachable - MS, table);
        assertEquals(ArpTable.REACHABLE, table.state(IF, PEER_IP));
        wheel.advance(reachable + MS, table);
        assertEquals(ArpTable.STALE, table.state(IF, PEER_IP));

        long now = reachable + 2 * MS;
        long first = table.resolve(IF, PEER_IP, BufferPool.NO_BUFFER, now);
        assertTrue(ArpTable.isResolved(first));
        assertTrue(ArpTable.needsPoll(first));
        assertEquals(PEER_MAC, ArpTable.mac(first));
        assertEquals(PEER_MAC, table.resolve(IF, PEER_IP, BufferPool.NO_BUFFER, now + 500 * MS)); // no 2nd poll
        assertTrue(ArpTable.needsPoll(table.resolve(IF, PEER_IP, BufferPool.NO_BUFFER, now + S)));

        // A confirmation makes it reachable again for the full time.
        assertEquals(ArpTable.LEARN_UPDATED, table.learn(IF, PEER_IP, PEER_MAC, true, now + 2 * S));
        wheel.advance(now + 2 * S + reachable - MS, table);
        assertEquals(ArpTable.REACHABLE, table.state(IF, PEER_IP));
        long staleAt = now + 2 * S + reachable + MS;
        wheel.advance(staleAt, table);
        assertEquals(ArpTable.STALE, table.state(IF, PEER_IP));
        wheel.advance(staleAt + ArpSettings.DEFAULT_STALE_NANOS + MS, table);
        assertEquals(ArpTable.FREE, table.state(IF, PEER_IP));
        assertEquals(0, table.size());
    }

    @Test
    void staticEntriesNeverAgeAndLearningDoesNotChangeThem() {
        assertTrue(table.addStatic(IF, PEER_IP, PEER_MAC));
        assertEquals(ArpTable.LEARN_STATIC, table.learn(IF, PEER_IP, NEW_MAC, true, S));
        assertEquals(1, table.staticConflicts());
        assertEquals(ArpTable.LEARN_STATIC, table.learn(IF, PEER_IP, PEER_MAC, true, S));
        assertEquals(1, table.staticConflicts());
        wheel.advance(10 * 3600 * S, table);
        wheel.advance(20 * 3600 * S, table);
        assertEquals(ArpTable.STATIC, table.state(IF, PEER_IP));
        assertEquals(PEER_MAC, table.resolve(IF, PEER_IP, BufferPool.NO_BUFFER, 20 * 3600 * S));
        assertEquals(0, wheel.activeCount());

        assertTrue(table.remove(IF, PEER_IP));
        assertFalse(table.remove(IF, PEER_IP));
    }

    @Test
    void staticEntryOverAnIncompleteOneSendsItsPackets() {
        int b = buffer();
        table.resolve(IF, PEER_IP, b, 0);
        assertFalse(table.addStatic(IF, PEER_IP, PEER_MAC));
        assertEquals(List.of(new RecordingEvents.Sent(IF, b, PEER_MAC)), events.sent);
        assertEquals(0, wheel.activeCount());
        wheel.advance(10 * S, table);
        assertEquals(ArpTable.STATIC, table.state(IF, PEER_IP));
        assertTrue(events.dropped.isEmpty());
    }

    @Test
    void badStaticEntriesAreRejectedWithTheirValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> table.addStatic(IF, 0xe000_0001, PEER_MAC));
        assertTrue(e.getMessage().contains("224.0.0.1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> table.addStatic(IF, PEER_IP, MacAddress.BROADCAST));
        assertTrue(e.getMessage().contains("ffffffffffff"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> table.addStatic(-2, PEER_IP, PEER_MAC));
        assertTrue(e.getMessage().contains("-2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> table.addStatic(IF, PEER_IP, 1L << 50));
        assertThrows(IllegalArgumentException.class, () -> new ArpSettings(0, 4, S, S, S, 3, 0));
        e = assertThrows(IllegalArgumentException.class, () -> new ArpSettings(8, 4, S, S, S / 2, 3, 0));
        assertTrue(e.getMessage().contains("500000000"), e.getMessage());
        assertEquals(0, table.size());
    }

    @Test
    void removingAnIncompleteEntryHandsBackItsPackets() {
        int b = buffer();
        table.resolve(IF, PEER_IP, b, 0);
        assertTrue(table.remove(IF, PEER_IP));
        assertEquals(List.of(new RecordingEvents.Dropped(IF, b, ArpDropReason.ARP_ENTRY_REMOVED)), events.dropped);
        assertEquals(0, wheel.activeCount());
        assertEquals(inUseAtStart, pool.buffersInUse());
    }

    @Test
    void aFullTableIsADistinctCountedResult() {
        table = new ArpTable(new ArpSettings(2, 4, 300 * S, 60 * S, S, 3, 0), wheel, events);
        assertEquals(ArpTable.PENDING_SEND_REQUEST, table.resolve(IF, PEER_IP, BufferPool.NO_BUFFER, 0));
        table.learn(IF, OTHER_IP, PEER_MAC, true, 0);
        int b = buffer();
        long result = table.resolve(IF, 0xc612_0009, b, 0);
        assertEquals(ArpTable.DROP_TABLE_FULL, result);
        assertEquals(ArpDropReason.ARP_TABLE_FULL, ArpTable.dropReason(result));
        assertEquals(ArpTable.LEARN_TABLE_FULL, table.learn(IF, 0xc612_0009, PEER_MAC, true, 0));
        assertThrows(IllegalStateException.class, () -> table.addStatic(IF, 0xc612_0009, PEER_MAC));
        assertEquals(3, table.tableFull());
        assertTrue(cache.free(b));
        // Existing entries still work; a freed entry is reused.
        assertEquals(PEER_MAC, table.resolve(IF, OTHER_IP, BufferPool.NO_BUFFER, 0));
        assertTrue(table.remove(IF, PEER_IP));
        assertEquals(ArpTable.PENDING_SEND_REQUEST, table.resolve(IF, 0xc612_0009, BufferPool.NO_BUFFER, 0));
        assertEquals(2, table.size());
    }

    @Test
    void aFullTimerWheelIsACountedResult() {
        TimerWheel tiny = TimerWheel.withDefaults(1, 0);
        table = new ArpTable(ArpSettings.defaults(8), tiny, events);
        table.resolve(IF, PEER_IP, BufferPool.NO_BUFFER, 0);
        assertEquals(ArpTable.DROP_NO_TIMER, table.resolve(IF, OTHER_IP, BufferPool.NO_BUFFER, 0));
        assertEquals(ArpTable.LEARN_NO_TIMER, table.learn(IF, OTHER_IP, PEER_MAC, true, 0));
        assertEquals(2, table.timerFailures());
        assertEquals(1, table.size());
    }

    @Test
    void theTimerTagRidesInTheTopByteAndExpiryIgnoresIt() {
        long[] seen = {0};
        table = new ArpTable(new ArpSettings(8, 4, 10 * S, 5 * S, S, 3, 0xa5), wheel, events);
        table.learn(IF, PEER_IP, PEER_MAC, true, 0);
        // A worker's dispatcher routes by the top byte, then hands the expiry to the table.
        wheel.advance(10 * S + MS, (handle, data) -> {
            seen[0] = data;
            if ((data >>> 56) == 0xa5) {
                table.onExpired(handle, data);
            }
        });
        assertEquals(0xa5, seen[0] >>> 56);
        assertEquals(ArpTable.STALE, table.state(IF, PEER_IP));
        assertEquals(0, table.staleTimers());
        table.onExpired(12345, seen[0]); // a stale handle is counted and ignored
        assertEquals(1, table.staleTimers());
        assertEquals(ArpTable.STALE, table.state(IF, PEER_IP));
    }

    @Test
    void snapshotFormatsEntriesInOrder() {
        table.addStatic(IF, OTHER_IP, NEW_MAC);
        table.learn(IF, PEER_IP, PEER_MAC, true, 0);
        table.resolve(0, PEER_IP, BufferPool.NO_BUFFER, 0);
        List<ArpEntry> entries = table.snapshot(5 * S);
        assertEquals(3, entries.size());
        assertEquals(0, entries.get(0).ifIndex());
        assertNull(entries.get(0).mac());
        assertEquals("incomplete", entries.get(0).state());
        assertEquals(Ip4Address.parse("198.18.0.2"), entries.get(1).ip());
        assertEquals("reachable", entries.get(1).state());
        assertEquals(5 * S, entries.get(1).ageNanos());
        assertEquals("static", entries.get(2).state());
        String line = entries.get(1).toString();
        assertTrue(line.contains("198.18.0.2") && line.contains(MacAddress.format(PEER_MAC)), line);
    }
}
