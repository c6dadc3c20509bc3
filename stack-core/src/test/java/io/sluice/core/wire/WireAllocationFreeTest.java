package io.sluice.core.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.core.util.AllocationMeter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * The data-path half of the package allocates nothing: checks, accessors and emitters on off-heap frames, good
 * and bad, in a warm loop measured with the JVM's per-thread allocation counter.
 */
class WireAllocationFreeTest {

    private static final int ROUNDS = 20_000;

    @Test
    void checkParseAndEmitAllocateNothing() {
        try (Arena arena = Arena.ofConfined()) {
            byte[][] good = TestFrames.allGoodFrames();
            MemorySegment[] frames = new MemorySegment[good.length * 2];
            int[] lengths = new int[frames.length];
            for (int i = 0; i < good.length; i++) {
                frames[i] = TestFrames.offHeap(arena, good[i]);
                lengths[i] = good[i].length;
                byte[] broken = good[i].clone();
                broken[broken.length - 2] ^= 0x21; // a checksum error at the deepest layer that has one
                frames[good.length + i] = TestFrames.offHeap(arena, broken);
                lengths[good.length + i] = broken.length;
            }
            MemorySegment scratch = arena.allocate(2048);
            long[] sink = new long[1]; // the work's results, kept so nothing can be optimised away
            TcpOptions options = new TcpOptions();
            int[] sackEdges = {1, 2, 3, 4, 5, 6, 7, 8};
            Runnable work = () -> sink[0] += run(frames, lengths, scratch, ROUNDS)
                    + runTcp(scratch, options, sackEdges, ROUNDS);

            long allocated = AllocationMeter.allocatedInSteadyState(work);

            assertEquals(0, allocated, "bytes allocated by " + ROUNDS + " rounds");
        }
    }

    /** TCP options and header written into a scratch buffer and parsed back, as a transmit and receive path do. */
    private static long runTcp(MemorySegment out, TcpOptions options, int[] sackEdges, int rounds) {
        long sum = 0;
        long tcp = 1024;
        for (int r = 0; r < rounds; r++) {
            int optionsLength = (r & 1) == 0
                    ? TcpOptions.emitSyn(out, tcp + Tcp.OPTIONS, 1460, r & 15, true, true, r, 0)
                    : TcpOptions.emitSegment(out, tcp + Tcp.OPTIONS, true, r, ~r, sackEdges, r & 3);
            int flags = (r & 1) == 0 ? Tcp.SYN : Tcp.ACK;
            Tcp.emit(out, tcp, 40000, 80, r, ~r, flags, 65535, optionsLength, 100, TestFrames.IP_A, TestFrames.IP_B);
            int length = Tcp.MIN_HEADER_LENGTH + optionsLength + 100;
            sum += Tcp.check(out, tcp, length, TestFrames.IP_A, TestFrames.IP_B, false);
            sum += options.parseSegment(out, tcp) + options.timestampValue() + options.sackBlocks()
                    + options.windowShift() + Tcp.sequence(out, tcp) + Tcp.window(out, tcp);
            sum += Tcp.emitWithPayloadSum(out, tcp, 1, 2, r, r, Tcp.ACK, 3, 0, 100, r & 0xffff, TestFrames.IP_A,
                    TestFrames.IP_B);
        }
        return sum;
    }

    private static long run(MemorySegment[] frames, int[] lengths, MemorySegment out, int rounds) {
        long sum = 0;
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < frames.length; i++) {
                MemorySegment mem = frames[i];
                sum += TestFrames.classify(mem, 0, lengths[i]);
                sum += Ethernet.source(mem, 0) + Ethernet.vlanId(mem, 0);
            }
            // Replies and new datagrams into a scratch buffer.
            MemorySegment ping = frames[1];
            MemorySegment.copy(ping, 0, out, 0, lengths[1]);
            Ethernet.turnIntoReply(out, 0, TestFrames.MAC_B);
            Icmp4.turnEchoRequestIntoReply(out, 14, Ipv4.DEFAULT_TTL);
            sum += Icmp4.check(out, 34, 64, false);
            Arp.emitGratuitous(out, 14, TestFrames.MAC_A, TestFrames.IP_A);
            Arp.turnRequestIntoReply(out, 14, TestFrames.MAC_B);
            int length = Ethernet.emit(out, 0, TestFrames.MAC_B, TestFrames.MAC_A, Ethernet.TYPE_IPV4);
            length += Ipv4.emit(out, length, 20 + 8 + 100, r, true, 64, Ipv4.PROTOCOL_UDP, TestFrames.IP_A,
                    TestFrames.IP_B);
            length += Udp.emit(out, length, 1234, 7, 100, TestFrames.IP_A, TestFrames.IP_B);
            sum += TestFrames.classify(out, 0, length + 100);
            Ipv4.decrementTtl(out, 14);
            Ipv4.setDestination(out, 14, r);
            int quote = Icmp4.quoteLength(out, 14);
            sum += Icmp4.emitError(out, 200, Icmp4.TYPE_DESTINATION_UNREACHABLE, Icmp4.CODE_PORT_UNREACHABLE, 0, out,
                    14, quote);
            sum += Checksum.compute(out, 1, 1001) + Checksum.update32((int) sum & 0xffff, r, ~r);
            sum += Ip4Address.isBenchmarking(r) ? 1 : 0;
        }
        return sum;
    }
}
