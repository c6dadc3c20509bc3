package io.sluice.session.control;

import io.sluice.core.util.Utf8;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The control protocol's binary encoding. Every message travels as a frame: a 4-byte big-endian length, then that
 * many bytes of payload. Integers are big-endian; a string is a 2-byte length and UTF-8.
 *
 * <pre>
 * request: version(1) code(1) arguments
 *   0x01..0x09  show interface, hardware, runtime, errors, buffers, threads, ip arp, ip fib, rx-placement: none
 *   0x0a, 0x0b  show tcp stats, show tcp: none
 *   0x0c        show app: none
 *   0x0e, 0x0f  show segment, show mq: none
 *   0x10        set interface rx-placement: iface(str) queue(4) worker(4)
 *   0x11        set interface state: iface(str) up(1)
 *   0x20        clear: what(1) 0 runtime, 1 errors, 2 interfaces
 *   0x30        pcap trace on: flags(1) bit 0 rx, bit 1 tx; max-packets(4) file(str)
 *   0x31        pcap trace off: none
 * reply: version(1) status(1)
 *   status 0: table-count(2), per table: title(str) column-count(1) {type(1) name(str)}... row-count(4)
 *             then the cells row by row: text(str), integer(8), decimal(8, IEEE 754)
 *   status 1: message(str)
 * </pre>
 *
 * Limits keep a confused or hostile peer from making either side allocate without bound: a request is at most
 * {@value #MAX_REQUEST_BYTES} bytes, a reply {@value #MAX_REPLY_BYTES}, a table {@value #MAX_ROWS} rows and
 * {@value #MAX_COLUMNS} columns, a reply {@value #MAX_TABLES} tables. Decoding errors name what was being read.
 */
public final class ControlCodec {

    /** The protocol version this build speaks; the first byte of every request and reply. */
    public static final int VERSION = 1;
    /** The largest request payload. */
    public static final int MAX_REQUEST_BYTES = 4096;
    /** The largest reply payload. */
    public static final int MAX_REPLY_BYTES = 16 << 20;
    /** The most rows in one table. */
    public static final int MAX_ROWS = 100_000;
    /** The most columns in one table. */
    public static final int MAX_COLUMNS = 64;
    /** The most tables in one reply. */
    public static final int MAX_TABLES = 1024;

    private static final int STATUS_TABLES = 0;
    private static final int STATUS_FAILURE = 1;
    private static final int MAX_STRING_BYTES = 0xffff;

    private static final int SHOW_INTERFACES = 0x01;
    private static final int SHOW_HARDWARE = 0x02;
    private static final int SHOW_RUNTIME = 0x03;
    private static final int SHOW_ERRORS = 0x04;
    private static final int SHOW_BUFFERS = 0x05;
    private static final int SHOW_THREADS = 0x06;
    private static final int SHOW_IP_ARP = 0x07;
    private static final int SHOW_IP_FIB = 0x08;
    private static final int SHOW_RX_PLACEMENT = 0x09;
    private static final int SHOW_TCP_STATS = 0x0a;
    private static final int SHOW_TCP = 0x0b;
    private static final int SHOW_APP = 0x0c;
    private static final int SHOW_SESSION = 0x0d;
    private static final int SHOW_SEGMENT = 0x0e;
    private static final int SHOW_MQ = 0x0f;
    private static final int SET_RX_PLACEMENT = 0x10;
    private static final int SET_INTERFACE_STATE = 0x11;
    private static final int SET_RX_MODE = 0x12;
    private static final int CLEAR = 0x20;
    private static final int PCAP_TRACE_ON = 0x30;
    private static final int PCAP_TRACE_OFF = 0x31;

    private static final int FLAG_RX = 1;
    private static final int FLAG_TX = 2;

    private ControlCodec() {}

    /** @return the request's payload (without the frame length) */
    public static byte[] encode(ControlRequest request) {
        Output out = new Output(MAX_REQUEST_BYTES, "request");
        try {
            switch (request) {
                case ControlRequest.ShowInterfaces r -> out.u8(SHOW_INTERFACES);
                case ControlRequest.ShowHardware r -> out.u8(SHOW_HARDWARE);
                case ControlRequest.ShowRuntime r -> out.u8(SHOW_RUNTIME);
                case ControlRequest.ShowErrors r -> out.u8(SHOW_ERRORS);
                case ControlRequest.ShowBuffers r -> out.u8(SHOW_BUFFERS);
                case ControlRequest.ShowThreads r -> out.u8(SHOW_THREADS);
                case ControlRequest.ShowIpArp r -> out.u8(SHOW_IP_ARP);
                case ControlRequest.ShowIpFib r -> out.u8(SHOW_IP_FIB);
                case ControlRequest.ShowTcpStats r -> out.u8(SHOW_TCP_STATS);
                case ControlRequest.ShowTcp r -> out.u8(SHOW_TCP);
                case ControlRequest.ShowApp r -> out.u8(SHOW_APP);
                case ControlRequest.ShowSession r -> {
                    out.u8(SHOW_SESSION);
                    out.u8(r.verbose() ? 1 : 0);
                }
                case ControlRequest.ShowSegment r -> out.u8(SHOW_SEGMENT);
                case ControlRequest.ShowMq r -> out.u8(SHOW_MQ);
                case ControlRequest.ShowRxPlacement r -> out.u8(SHOW_RX_PLACEMENT);
                case ControlRequest.SetRxPlacement r -> {
                    out.u8(SET_RX_PLACEMENT);
                    out.string(r.iface(), "interface name");
                    out.u32(r.queue());
                    out.u32(r.worker());
                }
                case ControlRequest.SetInterfaceState r -> {
                    out.u8(SET_INTERFACE_STATE);
                    out.string(r.iface(), "interface name");
                    out.u8(r.up() ? 1 : 0);
                }
                case ControlRequest.SetRxMode r -> {
                    out.u8(SET_RX_MODE);
                    out.string(r.iface(), "interface name");
                    out.u8(r.polling() ? 1 : 0);
                }
                case ControlRequest.Clear r -> {
                    out.u8(CLEAR);
                    out.u8(r.what().ordinal());
                }
                case ControlRequest.PcapTraceOn r -> {
                    out.u8(PCAP_TRACE_ON);
                    out.u8((r.rx() ? FLAG_RX : 0) | (r.tx() ? FLAG_TX : 0));
                    out.u32(r.maxPackets());
                    out.string(r.file(), "pcap file name");
                }
                case ControlRequest.PcapTraceOff r -> out.u8(PCAP_TRACE_OFF);
            }
            return out.finish();
        } catch (ControlProtocolException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * @param payload a request payload (without the frame length)
     * @return the request
     * @throws ControlProtocolException if the payload is not a well-formed request of this version
     */
    public static ControlRequest decodeRequest(ByteBuffer payload) throws ControlProtocolException {
        Input in = new Input(payload, "request", MAX_REQUEST_BYTES);
        int code = in.u8("command code");
        ControlRequest request;
        try {
            request = switch (code) {
                case SHOW_INTERFACES -> new ControlRequest.ShowInterfaces();
                case SHOW_HARDWARE -> new ControlRequest.ShowHardware();
                case SHOW_RUNTIME -> new ControlRequest.ShowRuntime();
                case SHOW_ERRORS -> new ControlRequest.ShowErrors();
                case SHOW_BUFFERS -> new ControlRequest.ShowBuffers();
                case SHOW_THREADS -> new ControlRequest.ShowThreads();
                case SHOW_IP_ARP -> new ControlRequest.ShowIpArp();
                case SHOW_IP_FIB -> new ControlRequest.ShowIpFib();
                case SHOW_TCP_STATS -> new ControlRequest.ShowTcpStats();
                case SHOW_TCP -> new ControlRequest.ShowTcp();
                case SHOW_APP -> new ControlRequest.ShowApp();
                case SHOW_SESSION -> new ControlRequest.ShowSession(in.u8("verbose flag") != 0);
                case SHOW_SEGMENT -> new ControlRequest.ShowSegment();
                case SHOW_MQ -> new ControlRequest.ShowMq();
                case SHOW_RX_PLACEMENT -> new ControlRequest.ShowRxPlacement();
                case SET_RX_PLACEMENT -> new ControlRequest.SetRxPlacement(in.string("interface name"),
                        in.u32("queue"), in.u32("worker"));
                case SET_INTERFACE_STATE -> new ControlRequest.SetInterfaceState(in.string("interface name"),
                        in.bool("state"));
                case SET_RX_MODE -> new ControlRequest.SetRxMode(in.string("interface name"), in.bool("rx mode"));
                case CLEAR -> new ControlRequest.Clear(clearTarget(in.u8("clear target")));
                case PCAP_TRACE_ON -> {
                    int flags = in.u8("pcap flags");
                    if ((flags & ~(FLAG_RX | FLAG_TX)) != 0) {
                        throw new ControlProtocolException("request: unknown pcap flags 0x"
                                + Integer.toHexString(flags));
                    }
                    yield new ControlRequest.PcapTraceOn((flags & FLAG_RX) != 0, (flags & FLAG_TX) != 0,
                            in.u32("max packets"), in.string("pcap file name"));
                }
                case PCAP_TRACE_OFF -> new ControlRequest.PcapTraceOff();
                default -> throw new ControlProtocolException("request: unknown command code 0x"
                        + Integer.toHexString(code) + " (a newer bin/sluice than this stack?)");
            };
        } catch (IllegalArgumentException e) {
            throw new ControlProtocolException("request: " + e.getMessage());
        }
        in.end();
        return request;
    }

    /**
     * @param reply the reply
     * @return its payload (without the frame length)
     * @throws ControlProtocolException if the reply exceeds a limit (too many tables, rows, columns or bytes)
     */
    public static byte[] encode(ControlReply reply) throws ControlProtocolException {
        Output out = new Output(MAX_REPLY_BYTES, "reply");
        switch (reply) {
            case ControlReply.Failure f -> {
                out.u8(STATUS_FAILURE);
                out.string(f.message(), "failure message");
            }
            case ControlReply.Tables t -> {
                out.u8(STATUS_TABLES);
                limit(t.tables().size(), MAX_TABLES, "reply has", "tables");
                out.u16(t.tables().size());
                for (ControlTable table : t.tables()) {
                    encodeTable(out, table);
                }
            }
        }
        return out.finish();
    }

    /**
     * @param payload a reply payload (without the frame length)
     * @return the reply
     * @throws ControlProtocolException if the payload is not a well-formed reply of this version
     */
    public static ControlReply decodeReply(ByteBuffer payload) throws ControlProtocolException {
        Input in = new Input(payload, "reply", MAX_REPLY_BYTES);
        int status = in.u8("status");
        ControlReply reply = switch (status) {
            case STATUS_FAILURE -> {
                String message = in.string("failure message");
                yield new ControlReply.Failure(message.isEmpty() ? "(the stack gave no message)" : message);
            }
            case STATUS_TABLES -> {
                int count = in.u16("table count");
                limit(count, MAX_TABLES, "reply: reply has", "tables");
                List<ControlTable> tables = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    tables.add(decodeTable(in, i));
                }
                yield new ControlReply.Tables(tables);
            }
            default -> throw new ControlProtocolException("reply: unknown status " + status);
        };
        in.end();
        return reply;
    }

    private static void encodeTable(Output out, ControlTable table) throws ControlProtocolException {
        String name = "table '" + table.title() + "'";
        limit(table.columns().size(), MAX_COLUMNS, name + " has", "columns");
        limit(table.rows().size(), MAX_ROWS, name + " has", "rows");
        out.string(table.title(), "table title");
        out.u8(table.columns().size());
        for (ControlColumn column : table.columns()) {
            out.u8(column.type().ordinal());
            out.string(column.name(), "column name");
        }
        out.u32(table.rows().size());
        for (List<Object> row : table.rows()) {
            for (int i = 0; i < row.size(); i++) {
                switch (table.columns().get(i).type()) {
                    case TEXT -> out.string((String) row.get(i), name + " cell");
                    case INTEGER -> out.i64((Long) row.get(i));
                    case DECIMAL -> out.f64((Double) row.get(i));
                }
            }
        }
    }

    private static ControlTable decodeTable(Input in, int index) throws ControlProtocolException {
        String title = in.string("title of table " + index);
        String name = "table '" + title + "'";
        int columnCount = in.u8(name + " column count");
        limit(columnCount, MAX_COLUMNS, "reply: " + name + " has", "columns");
        if (columnCount == 0) {
            throw new ControlProtocolException("reply: " + name + " has no columns");
        }
        ControlColumn.Type[] types = ControlColumn.Type.values();
        List<ControlColumn> columns = new ArrayList<>(columnCount);
        for (int c = 0; c < columnCount; c++) {
            int type = in.u8(name + " column " + c + " type");
            if (type >= types.length) {
                throw new ControlProtocolException("reply: " + name + " column " + c + " has unknown type " + type);
            }
            columns.add(new ControlColumn(in.string(name + " column " + c + " name"), types[type]));
        }
        int rowCount = in.u32(name + " row count");
        limit(rowCount, MAX_ROWS, "reply: " + name + " has", "rows");
        List<List<Object>> rows = new ArrayList<>(Math.min(rowCount, 1024));
        for (int r = 0; r < rowCount; r++) {
            List<Object> row = new ArrayList<>(columnCount);
            for (ControlColumn column : columns) {
                String what = name + " row " + r + " column '" + column.name() + "'";
                row.add(switch (column.type()) {
                    case TEXT -> in.string(what);
                    case INTEGER -> in.i64(what);
                    case DECIMAL -> in.f64(what);
                });
            }
            rows.add(row);
        }
        return new ControlTable(title, columns, rows);
    }

    private static ControlRequest.ClearTarget clearTarget(int code) throws ControlProtocolException {
        ControlRequest.ClearTarget[] targets = ControlRequest.ClearTarget.values();
        if (code >= targets.length) {
            throw new ControlProtocolException("request: unknown clear target " + code);
        }
        return targets[code];
    }

    private static void limit(long count, int max, String prefix, String things) throws ControlProtocolException {
        if (count > max || count < 0) {
            throw new ControlProtocolException(prefix + " " + count + " " + things + ", more than the limit of " + max);
        }
    }

    /** A payload being written, with the version byte first and a size limit. */
    private static final class Output {

        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        private final DataOutputStream data = new DataOutputStream(bytes);
        private final int maxBytes;
        private final String kind;

        Output(int maxBytes, String kind) {
            this.maxBytes = maxBytes;
            this.kind = kind;
            u8(VERSION);
        }

        void u8(int value) {
            bytes.write(value);
        }

        void u16(int value) {
            io(() -> data.writeShort(value));
        }

        void u32(int value) throws ControlProtocolException {
            io(() -> data.writeInt(value));
            check();
        }

        void i64(long value) throws ControlProtocolException {
            io(() -> data.writeLong(value));
            check();
        }

        void f64(double value) throws ControlProtocolException {
            io(() -> data.writeDouble(value));
            check();
        }

        void string(String value, String what) throws ControlProtocolException {
            byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
            if (utf8.length > MAX_STRING_BYTES) {
                throw new ControlProtocolException(kind + ": " + what + " is " + utf8.length
                        + " bytes, more than the limit of " + MAX_STRING_BYTES);
            }
            u16(utf8.length);
            bytes.writeBytes(utf8);
            check();
        }

        byte[] finish() throws ControlProtocolException {
            check();
            return bytes.toByteArray();
        }

        private void check() throws ControlProtocolException {
            if (bytes.size() > maxBytes) {
                throw new ControlProtocolException(kind + " is more than the limit of " + maxBytes + " bytes");
            }
        }

        /** DataOutputStream over a byte array never fails; this keeps its checked exception out of the way. */
        private static void io(IoAction action) {
            try {
                action.run();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @FunctionalInterface
        private interface IoAction {
            void run() throws IOException;
        }
    }

    /** A payload being read: checks the version, and names what was being read when bytes run out. */
    private static final class Input {

        private final ByteBuffer buffer;
        private final String kind;

        Input(ByteBuffer payload, String kind, int maxBytes) throws ControlProtocolException {
            this.buffer = payload.slice();
            this.kind = kind;
            if (buffer.remaining() > maxBytes) {
                throw new ControlProtocolException(kind + " of " + buffer.remaining()
                        + " bytes is more than the limit of " + maxBytes);
            }
            int version = u8("version");
            if (version != VERSION) {
                throw new ControlProtocolException(kind + ": unsupported protocol version " + version
                        + " (this side speaks version " + VERSION
                        + "; use bin/sluice from the same build as the stack)");
            }
        }

        int u8(String what) throws ControlProtocolException {
            need(1, what);
            return buffer.get() & 0xff;
        }

        boolean bool(String what) throws ControlProtocolException {
            int value = u8(what);
            if (value > 1) {
                throw new ControlProtocolException(kind + ": " + what + " must be 0 or 1, not " + value);
            }
            return value == 1;
        }

        int u16(String what) throws ControlProtocolException {
            need(2, what);
            return buffer.getShort() & 0xffff;
        }

        int u32(String what) throws ControlProtocolException {
            need(4, what);
            return buffer.getInt();
        }

        long i64(String what) throws ControlProtocolException {
            need(8, what);
            return buffer.getLong();
        }

        double f64(String what) throws ControlProtocolException {
            need(8, what);
            return buffer.getDouble();
        }

        String string(String what) throws ControlProtocolException {
            int length = u16(what + " length");
            need(length, what);
            try {
                return Utf8.decode(buffer, length);
            } catch (CharacterCodingException e) {
                throw new ControlProtocolException(kind + ": " + what + " is not valid UTF-8");
            }
        }

        void end() throws ControlProtocolException {
            if (buffer.hasRemaining()) {
                throw new ControlProtocolException(kind + ": " + buffer.remaining()
                        + " unexpected bytes after the end at byte " + buffer.position());
            }
        }

        private void need(int count, String what) throws ControlProtocolException {
            if (buffer.remaining() < count) {
                throw new ControlProtocolException(kind + " ends early at byte " + buffer.position() + ": " + what
                        + " needs " + count + " bytes, " + buffer.remaining() + " left");
            }
        }
    }
}
