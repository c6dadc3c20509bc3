package io.sluice.core.pcap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A small pcap reader for the tests, written from the format's description and independent of the writer's
 * constants: it reads either byte order and either timestamp resolution, and fails on anything malformed.
 */
final class PcapFileReader {

    /** A parsed file. */
    record Capture(ByteOrder order, int magic, int versionMajor, int versionMinor, int thisZone, int sigFigs,
            int snapLength, int linkType, List<Record> records) {

        boolean nanoseconds() {
            return magic == 0xa1b23c4d;
        }
    }

    /** One record. */
    record Record(long seconds, long fraction, int includedLength, int originalLength, byte[] data) {}

    private PcapFileReader() {}

    static Capture read(Path file) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file));
        if (in.remaining() < 24) {
            throw new IOException(file + ": " + in.remaining() + " bytes, shorter than a pcap header");
        }
        in.order(ByteOrder.LITTLE_ENDIAN);
        int magic = in.getInt(0);
        if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
            in.order(ByteOrder.BIG_ENDIAN);
            magic = in.getInt(0);
            if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
                throw new IOException(file + ": bad magic " + Integer.toHexString(magic));
            }
        }
        in.position(4);
        int major = Short.toUnsignedInt(in.getShort());
        int minor = Short.toUnsignedInt(in.getShort());
        int zone = in.getInt();
        int sigFigs = in.getInt();
        int snap = in.getInt();
        int link = in.getInt();
        long fractionLimit = magic == 0xa1b23c4d ? 1_000_000_000L : 1_000_000L;
        List<Record> records = new ArrayList<>();
        while (in.hasRemaining()) {
            if (in.remaining() < 16) {
                throw new IOException(file + ": truncated record header at " + in.position());
            }
            long seconds = Integer.toUnsignedLong(in.getInt());
            long fraction = Integer.toUnsignedLong(in.getInt());
            int included = in.getInt();
            int original = in.getInt();
            if (fraction >= fractionLimit) {
                throw new IOException(file + ": fraction " + fraction + " out of range at " + in.position());
            }
            if (included < 0 || included > snap || included > original) {
                throw new IOException(file + ": incl_len " + included + ", orig_len " + original + ", snaplen "
                        + snap);
            }
            if (in.remaining() < included) {
                throw new IOException(file + ": truncated record data at " + in.position());
            }
            byte[] data = new byte[included];
            in.get(data);
            records.add(new Record(seconds, fraction, included, original, data));
        }
        return new Capture(in.order(), magic, major, minor, zone, sigFigs, snap, link, records);
    }
}
