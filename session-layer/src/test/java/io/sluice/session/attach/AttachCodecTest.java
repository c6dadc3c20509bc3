package io.sluice.session.attach;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.session.cut.ChannelEnd;
import io.sluice.session.cut.CutThroughChannel;
import io.sluice.session.cut.CutThroughDescription;
import io.sluice.session.cut.CutThroughRole;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AttachCodecTest {

    static final AttachMessage.Attach ATTACH = new AttachMessage.Attach("echo-server", "", 0, 64 << 10, 64 << 10,
            1 << 20, 64, true, true);

    static final List<AttachMessage> EVERY_MESSAGE = List.of(
            ATTACH,
            new AttachMessage.Attach("caf\u00e9 \u2615", "tenant-a", -2L, 400_000, 1L << 30, 64L << 30, 1 << 24,
                    false, true),
            new AttachMessage.AttachReply(AttachStatus.OK, "attached", 7,
                    List.of(new AttachMessage.Segment(1, 1 << 20), new AttachMessage.Segment(2, 4 << 20)),
                    List.of(0L, 4416L), new AttachMessage.Worker(0, 1, 8832),
                    List.of(FdRole.SEGMENT_MEMFD, FdRole.STACK_QUEUE_EVENTFD, FdRole.STACK_QUEUE_EVENTFD,
                            FdRole.WORKER_QUEUE_EVENTFD)),
            AttachMessage.AttachReply.refused(AttachStatus.BAD_SECRET, "wrong secret for application namespace 'x'"),
            new AttachMessage.AddWorker(),
            new AttachMessage.AddWorkerReply(AttachStatus.OK, "worker 3 added", new AttachMessage.Worker(3, 1, 8832),
                    List.of(FdRole.WORKER_QUEUE_EVENTFD)),
            AttachMessage.AddWorkerReply.refused(AttachStatus.NO_SPACE, "no room"),
            new AttachMessage.DelWorker(3),
            new AttachMessage.DelWorkerReply(AttachStatus.OK, "worker 3 removed", 3),
            new AttachMessage.DelWorkerReply(AttachStatus.UNKNOWN_WORKER, "no worker 9", 9),
            new AttachMessage.SegmentAdd(new AttachMessage.Segment(2, 4 << 20), List.of(FdRole.SEGMENT_MEMFD)),
            new AttachMessage.SegmentRemove(2),
            new AttachMessage.Detach(),
            new AttachMessage.Error(AttachStatus.VERSION_MISMATCH, "protocol version 3, this stack speaks 1"));

    private static AttachMessage decode(byte[] datagram) throws AttachException {
        return AttachCodec.decode(ByteBuffer.wrap(datagram), "this stack");
    }

    private static AttachException refused(byte[] datagram) {
        return assertThrows(AttachException.class, () -> decode(datagram));
    }

    /** The datagram with its header's length field set to its real size (after a test changed the body). */
    static byte[] withLength(byte[] datagram) {
        ByteBuffer.wrap(datagram).putInt(AttachCodec.LENGTH_OFFSET, datagram.length);
        return datagram;
    }

    static byte[] attachWith(String appName, long rxFifoSize, int flags) {
        byte[] datagram = AttachCodec.encode(new AttachMessage.Attach(appName, "", 0, rxFifoSize, 4096, 1 << 20,
                64, true, true));
        // flags are the last four bytes of ATTACH
        ByteBuffer.wrap(datagram).putInt(datagram.length - 4, flags);
        return datagram;
    }

    /** Every way a datagram can be malformed, each with the status it must get. */
    static Map<AttachStatus, byte[]> malformed() {
        byte[] good = AttachCodec.encode(ATTACH);
        Map<AttachStatus, byte[]> cases = new LinkedHashMap<>();
        cases.put(AttachStatus.BAD_MAGIC, "GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        cases.put(AttachStatus.VERSION_MISMATCH, AttachCodec.encode(ATTACH, 3));
        byte[] unknownType = good.clone();
        ByteBuffer.wrap(unknownType).putShort(AttachCodec.TYPE_OFFSET, (short) 0x42);
        cases.put(AttachStatus.UNKNOWN_TYPE, unknownType);
        cases.put(AttachStatus.TRUNCATED, withLength(Arrays.copyOf(good, good.length - 6)));
        byte[] lying = good.clone();
        ByteBuffer.wrap(lying).putInt(AttachCodec.LENGTH_OFFSET, good.length + 100);
        cases.put(AttachStatus.LENGTH_MISMATCH, lying);
        cases.put(AttachStatus.TRAILING_BYTES, withLength(Arrays.copyOf(good, good.length + 3)));
        byte[] badUtf8 = attachWith("ab", 4096, 3);
        badUtf8[AttachCodec.HEADER_BYTES + 2] = (byte) 0xC3; // a lead byte followed by 'b', not a continuation
        cases.put(AttachStatus.BAD_UTF8, badUtf8);
        cases.put(AttachStatus.BAD_STRING_LENGTH, attachWith("x".repeat(AttachCodec.MAX_NAME_BYTES + 1), 4096, 3));
        cases.put(AttachStatus.OUT_OF_RANGE, attachWith("app", 1, 3));
        cases.put(AttachStatus.BAD_FLAGS, attachWith("app", 4096, 0x10));
        byte[] huge = Arrays.copyOf(good, AttachCodec.MAX_MESSAGE_BYTES + 1);
        cases.put(AttachStatus.TOO_LONG, withLength(huge));
        return cases;
    }

    @Test
    void everyMessageRoundTrips() throws AttachException {
        Set<Integer> types = new HashSet<>();
        for (AttachMessage message : EVERY_MESSAGE) {
            byte[] datagram = AttachCodec.encode(message);
            assertEquals(message, decode(datagram), AttachCodec.typeName(AttachCodec.typeOf(message)));
            ByteBuffer header = ByteBuffer.wrap(datagram);
            assertEquals(AttachCodec.MAGIC, header.getInt(0));
            assertEquals(AttachCodec.VERSION, header.getShort(4));
            assertEquals(datagram.length, header.getInt(8), "the length field is the datagram's size");
            types.add(AttachCodec.typeOf(message));
        }
        assertEquals(10, types.size(), "every message type is covered");
    }

    @Test
    void channelNoticesRoundTripAndABadRoleOrDescriptionIsRefused() throws Exception {
        try (CutThroughChannel channel = CutThroughChannel.create(5, 6, 7, new ChannelEnd(1, "client", 0),
                new ChannelEnd(2, "server", 3), 4, 4096, 8192)) {
            AttachMessage.ChannelAdd add = new AttachMessage.ChannelAdd(3, CutThroughRole.ACCEPTER,
                    channel.description(), CutThroughDescription.FD_ROLES);
            assertEquals(add, decode(AttachCodec.encode(add)));
            AttachMessage.ChannelRemove remove = new AttachMessage.ChannelRemove(5, 3);
            assertEquals(remove, decode(AttachCodec.encode(remove)));

            byte[] badRole = AttachCodec.encode(add);
            badRole[AttachCodec.HEADER_BYTES + 4] = 2; // after the worker index
            AttachException e = refused(badRole);
            assertEquals(AttachStatus.OUT_OF_RANGE, e.status());
            assertEquals("channel role 2 is neither 0 (connector) nor 1 (accepter)", e.getMessage());

            byte[] badDescription = AttachCodec.encode(add);
            badDescription[AttachCodec.HEADER_BYTES + 5 + 76] = 1; // the description's reserved word
            assertEquals(AttachStatus.OUT_OF_RANGE, refused(badDescription).status());
            byte[] truncated = withLength(Arrays.copyOf(AttachCodec.encode(add), AttachCodec.HEADER_BYTES + 40));
            assertEquals(AttachStatus.TRUNCATED, refused(truncated).status());
        }
    }

    @Test
    void headerLayoutIsAsDocumented() {
        byte[] detach = AttachCodec.encode(new AttachMessage.Detach());
        assertEquals("534c4154" + "0001" + "0004" + "0000000c", HexFormat.of().formatHex(detach));
        byte[] del = AttachCodec.encode(new AttachMessage.DelWorker(5));
        assertEquals("534c4154" + "0001" + "0003" + "00000010" + "00000005",
                HexFormat.of().formatHex(del));
    }

    @Test
    void eachMalformedCaseHasItsOwnStatusAndSaysWhatIsWrong() {
        Map<AttachStatus, String> expected = Map.ofEntries(
                Map.entry(AttachStatus.BAD_MAGIC,
                        "not an attach-protocol message: it starts 0x47455420, not the magic 0x534c4154 (\"SLAT\")"),
                Map.entry(AttachStatus.VERSION_MISMATCH, "protocol version 3, this stack speaks 1"),
                Map.entry(AttachStatus.UNKNOWN_TYPE, "unknown message type 0x42 in protocol version 1"),
                Map.entry(AttachStatus.TRUNCATED,
                        "ends early at byte 59: event-queue-size needs 4 bytes, 2 left"),
                Map.entry(AttachStatus.LENGTH_MISMATCH, "the header's length is 167 bytes but the datagram has 67"),
                Map.entry(AttachStatus.TRAILING_BYTES, "3 bytes after the last field (at byte 67)"),
                Map.entry(AttachStatus.BAD_UTF8, "application name is not valid UTF-8"),
                Map.entry(AttachStatus.BAD_STRING_LENGTH,
                        "application name is 65 bytes; it must be 1 to 64"),
                Map.entry(AttachStatus.OUT_OF_RANGE,
                        "rx-fifo-size 1 is outside the limits 64 to 1073741824"),
                Map.entry(AttachStatus.BAD_FLAGS,
                        "flags 0x10 have unknown bits 0x10 (bit 0 is scope local, bit 1 scope global)"),
                Map.entry(AttachStatus.TOO_LONG, "message of 4097 bytes is longer than the protocol's limit of 4096"));
        Map<AttachStatus, byte[]> cases = malformed();
        assertEquals(expected.keySet(), cases.keySet());
        for (Map.Entry<AttachStatus, byte[]> c : cases.entrySet()) {
            AttachException e = refused(c.getValue());
            assertEquals(c.getKey(), e.status(), e.getMessage());
            assertEquals(expected.get(c.getKey()), e.getMessage());
        }
        assertEquals(cases.size(), EnumSet.copyOf(cases.keySet()).size(), "statuses are distinct");
    }

    @Test
    void moreRefusals() {
        assertEquals("message of 5 bytes is shorter than the 12-byte header",
                refused(new byte[] {0x53, 0x4c, 0x41, 0x54, 0}).getMessage());
        assertEquals(AttachStatus.BAD_FLAGS, refused(attachWith("app", 4096, 0)).status());
        assertTrue(refused(attachWith("app", 4096, 0)).getMessage().contains("no scope asked for"));
        assertEquals(AttachStatus.BAD_STRING_LENGTH, refused(attachWith("", 4096, 3)).status(), "empty name");
        byte[] reply = AttachCodec.encode(new AttachMessage.Error(AttachStatus.OK, "x"));
        ByteBuffer.wrap(reply).putShort(AttachCodec.HEADER_BYTES, (short) 999);
        assertEquals("unknown status code 999", refused(reply).getMessage());
        assertEquals(AttachStatus.OUT_OF_RANGE, refused(reply).status());
        byte[] negative = AttachCodec.encode(new AttachMessage.Attach("a", "", 0, -1, 4096, 1 << 20, 64, true, false));
        assertEquals("rx-fifo-size 18446744073709551615 is outside the limits 64 to 1073741824",
                refused(negative).getMessage(), "an unsigned value is shown unsigned");
    }

    @Test
    void describeNamesTheTypeWithoutFailing() {
        assertEquals("ATTACH", AttachCodec.describe(ByteBuffer.wrap(AttachCodec.encode(ATTACH, 9))));
        assertEquals("message", AttachCodec.describe(ByteBuffer.wrap(new byte[3])));
        assertEquals("message", AttachCodec.describe(ByteBuffer.wrap(malformed().get(AttachStatus.BAD_MAGIC))));
    }

    @Test
    void encodeRefusesWhatTheLayoutCannotHold() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AttachCodec.encode(
                new AttachMessage.Error(AttachStatus.INTERNAL, "x".repeat(5000))));
        assertEquals("ERROR is longer than the protocol's limit of 4096 bytes", e.getMessage());
    }
}
