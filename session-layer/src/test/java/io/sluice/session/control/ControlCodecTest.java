package io.sluice.session.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class ControlCodecTest {

    /** One of every request kind: a new kind not added here fails {@link #everyRequestKindIsCovered}. */
    static final List<ControlRequest> EVERY_REQUEST = List.of(
            new ControlRequest.ShowInterfaces(),
            new ControlRequest.ShowHardware(),
            new ControlRequest.ShowRuntime(),
            new ControlRequest.ShowErrors(),
            new ControlRequest.ShowBuffers(),
            new ControlRequest.ShowThreads(),
            new ControlRequest.ShowIpArp(),
            new ControlRequest.ShowIpFib(),
            new ControlRequest.ShowTcpStats(),
            new ControlRequest.ShowTcp(),
            new ControlRequest.ShowApp(),
            new ControlRequest.ShowSession(false),
            new ControlRequest.ShowSession(true),
            new ControlRequest.ShowSegment(),
            new ControlRequest.ShowMq(),
            new ControlRequest.ShowRxPlacement(),
            new ControlRequest.SetRxPlacement("tap0", 3, 1),
            new ControlRequest.SetInterfaceState("tap-ü", false),
            new ControlRequest.SetInterfaceState("tap0", true),
            new ControlRequest.SetRxMode("tap0", true),
            new ControlRequest.SetRxMode("tap1", false),
            new ControlRequest.Clear(ControlRequest.ClearTarget.RUNTIME),
            new ControlRequest.Clear(ControlRequest.ClearTarget.ERRORS),
            new ControlRequest.Clear(ControlRequest.ClearTarget.INTERFACES),
            new ControlRequest.PcapTraceOn(true, false, 100, "/tmp/rx.pcap"),
            new ControlRequest.PcapTraceOn(false, true, 1, "/tmp/tx.pcap"),
            new ControlRequest.PcapTraceOn(true, true, Integer.MAX_VALUE, "/tmp/both.pcap"),
            new ControlRequest.PcapTraceOff());

    @Test
    void everyRequestRoundTrips() throws Exception {
        for (ControlRequest request : EVERY_REQUEST) {
            byte[] bytes = ControlCodec.encode(request);
            assertEquals(ControlCodec.VERSION, bytes[0], "version byte first: " + request);
            assertEquals(request, ControlCodec.decodeRequest(ByteBuffer.wrap(bytes)));
        }
    }

    @Test
    void everyRequestKindIsCovered() {
        long kinds = EVERY_REQUEST.stream().map(Object::getClass).distinct().count();
        assertEquals(ControlRequest.class.getPermittedSubclasses().length, kinds);
    }

    @Test
    void requestsAreCompact() {
        assertEquals(2, ControlCodec.encode(new ControlRequest.ShowRuntime()).length);
        // version, code, name length (2), "tap0", queue (4), worker (4)
        assertEquals(16, ControlCodec.encode(new ControlRequest.SetRxPlacement("tap0", 0, 1)).length);
    }

    @Test
    void failureRoundTrips() throws Exception {
        ControlReply failure = ControlReply.failure("no interface 'tap9' (did you mean 'tap0'?)");
        assertEquals(failure, ControlCodec.decodeReply(ByteBuffer.wrap(ControlCodec.encode(failure))));
    }

    @Test
    void tablesOfEveryCellTypeRoundTrip() throws Exception {
        ControlTable runtime = ControlTables.runtime(1, 0)
                .row("ethernet-input", 10, 2_560L, 256.0, 12.5)
                .row("ip4-input", Long.MAX_VALUE, Long.MIN_VALUE, Double.NaN, -0.25)
                .build();
        ControlTable empty = ControlTables.ipArp().build();
        ControlTable text = ControlTable.builder("", List.of(ControlColumn.text("a\"b\\c\n"))).row("").row("\u00e9\t")
                .build();
        ControlReply reply = ControlReply.of(runtime, empty, text);
        assertEquals(reply, ControlCodec.decodeReply(ByteBuffer.wrap(ControlCodec.encode(reply))));
        byte[] ok = ControlCodec.encode(ControlReply.ok());
        assertEquals(4, ok.length);
        assertEquals(ControlReply.ok(), ControlCodec.decodeReply(ByteBuffer.wrap(ok)));
    }

    @Test
    void everyTableOfControlTablesRoundTrips() throws Exception {
        List<ControlTable> tables = List.of(
                ControlTables.interfaces().row("tap0", 1, "up", 1500, 1, 2, 3, 4, 5, 6, "198.18.0.1/24").build(),
                ControlTables.hardware().row("tap0", 1, "tap", "02:00:00:00:00:01", 1500, 2, 2, "fd 7").build(),
                ControlTables.workerLoops().row(1, 0, 1000, 10).build(),
                ControlTables.errors().row(3, "ip4-input", "bad-checksum", "IPv4 header checksum is wrong").build(),
                ControlTables.buffers().row(16384, 16000, 384, 256, 0, 0, 2048).build(),
                ControlTables.threads().row(0, "sluice-main", "main", -1, 4242, "running").build(),
                ControlTables.ipArp().row("tap0", "198.18.0.2", "02:00:00:00:00:02", "reachable", 240).build(),
                ControlTables.ipFib().row("198.18.0.0/24", "connected", "", "tap0").build(),
                ControlTables.rxPlacement().row("tap0", 0, 0, "polling").build());
        ControlReply reply = new ControlReply.Tables(tables);
        assertEquals(reply, ControlCodec.decodeReply(ByteBuffer.wrap(ControlCodec.encode(reply))));
    }

    @Test
    void cellsOfTheWrongTypeAreRefusedNamingTheColumn() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ControlTables.buffers().row(1, 2, "three", 4, 5, 6, 7));
        assertEquals("table 'Buffers' row 0 column 'in-use' is integer, not String", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ControlTables.ipFib().row("x"));
        assertEquals("table 'IPv4 FIB' row 0 has 1 cells for 4 columns", e.getMessage());
    }

    @Test
    void unknownVersionIsAClearError() {
        ControlProtocolException e = assertThrows(ControlProtocolException.class,
                () -> ControlCodec.decodeRequest(ByteBuffer.wrap(new byte[] {2, 1})));
        assertTrue(e.getMessage().startsWith("request: unsupported protocol version 2 (this side speaks version 1"),
                e.getMessage());
    }

    @Test
    void unknownCommandCodeIsAClearError() {
        ControlProtocolException e = assertThrows(ControlProtocolException.class,
                () -> ControlCodec.decodeRequest(ByteBuffer.wrap(new byte[] {1, 0x7f})));
        assertTrue(e.getMessage().startsWith("request: unknown command code 0x7f"), e.getMessage());
    }

    @Test
    void truncatedRequestNamesWhatIsMissing() {
        byte[] whole = ControlCodec.encode(new ControlRequest.SetRxPlacement("tap0", 2, 1));
        byte[] cut = Arrays.copyOf(whole, whole.length - 2);
        ControlProtocolException e = assertThrows(ControlProtocolException.class,
                () -> ControlCodec.decodeRequest(ByteBuffer.wrap(cut)));
        assertEquals("request ends early at byte 12: worker needs 4 bytes, 2 left", e.getMessage());
        e = assertThrows(ControlProtocolException.class, () -> ControlCodec.decodeRequest(ByteBuffer.allocate(0)));
        assertEquals("request ends early at byte 0: version needs 1 bytes, 0 left", e.getMessage());
    }

    @Test
    void trailingBytesAndBadArgumentsAreErrors() {
        assertMessage("request: 1 unexpected bytes after the end at byte 2", new byte[] {1, 3, 0});
        assertMessage("request: unknown clear target 9", new byte[] {1, 0x20, 9});
        assertMessage("request: unknown pcap flags 0x4", new byte[] {1, 0x30, 4, 0, 0, 0, 1, 0, 1, 'f'});
        assertMessage("request: pcap trace needs rx, tx or both", new byte[] {1, 0x30, 0, 0, 0, 0, 1, 0, 1, 'f'});
        assertMessage("request: state must be 0 or 1, not 2", new byte[] {1, 0x11, 0, 1, 'x', 2});
        assertMessage("request: interface name is not valid UTF-8", new byte[] {1, 0x11, 0, 1, (byte) 0xff, 1});
    }

    @Test
    void oversizedRequestIsRefused() {
        ControlProtocolException e = assertThrows(ControlProtocolException.class,
                () -> ControlCodec.decodeRequest(ByteBuffer.allocate(ControlCodec.MAX_REQUEST_BYTES + 1)));
        assertEquals("request of 4097 bytes is more than the limit of 4096", e.getMessage());
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> ControlCodec.encode(new ControlRequest.PcapTraceOn(true, true, 1, "x".repeat(5000))));
        assertEquals("request is more than the limit of 4096 bytes",
                tooLong.getMessage());
    }

    @Test
    void replyLimitsAreEnforcedOnBothSides() throws Exception {
        ControlTable.Builder rows = ControlTable.builder("many", List.of(ControlColumn.integer("n")));
        for (int i = 0; i <= ControlCodec.MAX_ROWS; i++) {
            rows.row(i);
        }
        ControlProtocolException e = assertThrows(ControlProtocolException.class,
                () -> ControlCodec.encode(ControlReply.of(rows.build())));
        assertEquals("table 'many' has 100001 rows, more than the limit of 100000", e.getMessage());

        ControlTable wide = ControlTable.builder("wide", List.of(ControlColumn.text("t")))
                .row("x".repeat(60_000)).build();
        List<ControlTable> tables = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            tables.add(wide);
        }
        e = assertThrows(ControlProtocolException.class, () -> ControlCodec.encode(new ControlReply.Tables(tables)));
        assertEquals("reply is more than the limit of 16777216 bytes", e.getMessage());

        // A reply claiming more rows than the limit is refused before anything is allocated for them.
        byte[] claim = HexFormat.of().parseHex("0100" + "0001" + "0001" + "41" + "01" + "01" + "0001" + "6e"
                + "7fffffff");
        e = assertThrows(ControlProtocolException.class, () -> ControlCodec.decodeReply(ByteBuffer.wrap(claim)));
        assertEquals("reply: table 'A' has 2147483647 rows, more than the limit of 100000", e.getMessage());
    }

    @Test
    void malformedRepliesAreClearErrors() {
        ControlProtocolException e = assertThrows(ControlProtocolException.class,
                () -> ControlCodec.decodeReply(ByteBuffer.wrap(new byte[] {1, 5})));
        assertEquals("reply: unknown status 5", e.getMessage());
        e = assertThrows(ControlProtocolException.class,
                () -> ControlCodec.decodeReply(ByteBuffer.wrap(new byte[] {1, 0, 0, 1, 0, 1, 'T', 1, 9, 0, 1, 'c'})));
        assertEquals("reply: table 'T' column 0 has unknown type 9", e.getMessage());
        e = assertThrows(ControlProtocolException.class,
                () -> ControlCodec.decodeReply(ByteBuffer.wrap(new byte[] {1, 0, 0, 1, 0, 1, 'T', 1, 1, 0, 1, 'c',
                    0, 0, 0, 1, 0, 0})));
        assertEquals("reply ends early at byte 16: table 'T' row 0 column 'c' needs 8 bytes, 2 left", e.getMessage());
    }

    private static void assertMessage(String expected, byte[] request) {
        ControlProtocolException e = assertThrows(ControlProtocolException.class,
                () -> ControlCodec.decodeRequest(ByteBuffer.wrap(request)));
        assertEquals(expected, e.getMessage());
    }
}
