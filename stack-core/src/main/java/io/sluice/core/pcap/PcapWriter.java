package io.sluice.core.pcap;

import static io.sluice.core.pcap.PcapFormat.FILE_HEADER_LENGTH;
import static io.sluice.core.pcap.PcapFormat.INCLUDED_LENGTH_OFFSET;
import static io.sluice.core.pcap.PcapFormat.LINK_TYPE_ETHERNET;
import static io.sluice.core.pcap.PcapFormat.LINK_TYPE_OFFSET;
import static io.sluice.core.pcap.PcapFormat.MAGIC_NANOSECONDS;
import static io.sluice.core.pcap.PcapFormat.MAGIC_OFFSET;
import static io.sluice.core.pcap.PcapFormat.MAX_SNAP_LENGTH;
import static io.sluice.core.pcap.PcapFormat.NANOS_PER_SECOND;
import static io.sluice.core.pcap.PcapFormat.ORIGINAL_LENGTH_OFFSET;
import static io.sluice.core.pcap.PcapFormat.RECORD_HEADER_LENGTH;
import static io.sluice.core.pcap.PcapFormat.SIG_FIGS_OFFSET;
import static io.sluice.core.pcap.PcapFormat.SNAP_LENGTH_OFFSET;
import static io.sluice.core.pcap.PcapFormat.THIS_ZONE_OFFSET;
import static io.sluice.core.pcap.PcapFormat.TS_FRAC_OFFSET;
import static io.sluice.core.pcap.PcapFormat.TS_SEC_OFFSET;
import static io.sluice.core.pcap.PcapFormat.U16;
import static io.sluice.core.pcap.PcapFormat.U32;
import static io.sluice.core.pcap.PcapFormat.VERSION_MAJOR;
import static io.sluice.core.pcap.PcapFormat.VERSION_MAJOR_OFFSET;
import static io.sluice.core.pcap.PcapFormat.VERSION_MINOR;
import static io.sluice.core.pcap.PcapFormat.VERSION_MINOR_OFFSET;

import io.sluice.core.buffer.BufferPool;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * Writes packets to a classic pcap file ({@link PcapFormat}: nanosecond timestamps, link type Ethernet) that
 * {@code tshark}, Wireshark and {@code tcpdump -r} read. A device wrapper or a graph node calls {@code write} once
 * per packet; this is what {@code pcap trace rx tx max N file PATH} turns on and {@code pcap trace off} closes.
 *
 * <h2>Data path</h2>
 * A write copies the record header and the packet's first {@code snapLength} bytes into a preallocated direct
 * staging buffer (1 MiB by default) and returns: no allocation, no system call. The staging buffer goes to the
 * file with one {@link FileChannel} write when the next record does not fit, on {@link #flush()} and on
 * {@link #close()}. Time is passed in: the writer never reads a clock.
 *
 * <h2>Limits</h2>
 * The writer is opened with a packet limit and a byte limit (bytes of the file, headers included; either may be
 * {@link #UNLIMITED}). A packet that would go past a limit is refused: {@code write} returns {@code false}, the
 * packet is counted in {@link #packetsRefusedByLimit()}, and so is every later packet, even a smaller one that
 * would fit: capture has stopped ({@link #isCapturing()} turns false as soon as a limit is reached, also right
 * after the packet that reaches the packet limit exactly). The caller then turns capture off and closes the writer.
 *
 * <h2>Errors</h2>
 * {@link #open}, {@link #flush()} and {@link #close()} throw {@link IOException} naming the path (directory
 * missing, not writable, disk full). A write error while capturing, when a full staging buffer is written out from
 * {@code write}, does not throw on the data path: the writer marks itself failed, keeps the exception, refuses that
 * packet and every later one (counted in {@link #packetsRefusedByFailure()}, {@code write} returns false), and the
 * next {@code flush()} or {@code close()} throws an {@code IOException} with the path and the original cause. Bytes
 * staged when the failure happened are lost; the file holds whatever the kernel took before it.
 *
 * <h2>Threads</h2>
 * A writer is used by one thread at a time; nothing in it is synchronised. Several workers capturing to one file
 * take the writer's monitor around each batch ({@code PcapDevice} does, and closes a detached writer under it), so
 * records never interleave; the timestamps come from each worker's loop, so records of different workers may be out
 * of time order by up to a loop pass (tshark sorts on display). Per-worker staging with one appender would remove
 * the lock when capture at full rate on many workers matters.
 */
public final class PcapWriter implements AutoCloseable {

    /** No limit, for {@code maxPackets} or {@code maxBytes}. */
    public static final long UNLIMITED = Long.MAX_VALUE;
    /** Default size of the staging buffer. */
    public static final int DEFAULT_STAGING_SIZE = 1 << 20;

    private static final int CAPTURING = 0;
    private static final int LIMIT_REACHED = 1;
    private static final int FAILED = 2;
    private static final int CLOSED = 3;

    private final Path path;
    private final FileChannel channel;
    private final int snapLength;
    private final long maxPackets;
    private final long maxBytes;
    private final ByteBuffer staging;
    private final MemorySegment stagingSegment;
    private final int stagingSize;

    private int staged;
    private int state = CAPTURING;
    private IOException failure;
    private long packetsWritten;
    private long bytesWritten;
    private long packetsTruncated;
    private long packetsRefusedByLimit;
    private long packetsRefusedByFailure;

    private PcapWriter(Path path, FileChannel channel, int snapLength, long maxPackets, long maxBytes,
            int stagingSize) {
        this.path = path;
        this.channel = channel;
        this.snapLength = snapLength;
        this.maxPackets = maxPackets;
        this.maxBytes = maxBytes;
        this.stagingSize = stagingSize;
        this.staging = ByteBuffer.allocateDirect(stagingSize);
        this.stagingSegment = MemorySegment.ofBuffer(staging);
    }

    /**
     * Creates (or truncates) the file at {@code path} and stages its header, with the default staging size.
     *
     * @param snapLength bytes kept of each packet, 1 to {@link PcapFormat#MAX_SNAP_LENGTH}
     * @param maxPackets packets to write before capture stops, at least 0, or {@link #UNLIMITED}
     * @param maxBytes bytes of the file, headers included, not to be exceeded, at least
     *     {@link PcapFormat#FILE_HEADER_LENGTH}, or {@link #UNLIMITED}
     * @throws IOException if the file cannot be created or opened for writing; the message names the path
     * @throws IllegalArgumentException if a number is out of range
     */
    public static PcapWriter open(Path path, int snapLength, long maxPackets, long maxBytes) throws IOException {
        return open(path, snapLength, maxPackets, maxBytes, DEFAULT_STAGING_SIZE);
    }

    /**
     * {@link #open(Path, int, long, long)} with a chosen staging buffer size, which must hold the file header and
     * one record of {@code snapLength} bytes.
     */
    public static PcapWriter open(Path path, int snapLength, long maxPackets, long maxBytes, int stagingSize)
            throws IOException {
        Objects.requireNonNull(path, "path");
        if (snapLength < 1 || snapLength > MAX_SNAP_LENGTH) {
            throw new IllegalArgumentException("snap length " + snapLength + " not in [1, " + MAX_SNAP_LENGTH + "]");
        }
        if (maxPackets < 0) {
            throw new IllegalArgumentException("max packets " + maxPackets + " is negative");
        }
        if (maxBytes < FILE_HEADER_LENGTH) {
            throw new IllegalArgumentException("max bytes " + maxBytes + " is less than the file header, "
                    + FILE_HEADER_LENGTH);
        }
        long needed = (long) FILE_HEADER_LENGTH + RECORD_HEADER_LENGTH + snapLength;
        if (stagingSize < needed) {
            throw new IllegalArgumentException("staging size " + stagingSize + " cannot hold the file header and "
                    + "one record of snap length " + snapLength + ": needs " + needed);
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE);
        } catch (IOException | UnsupportedOperationException e) {
            throw new IOException("pcap " + path + ": cannot open for writing: " + e, e);
        }
        PcapWriter writer = new PcapWriter(path, channel, snapLength, maxPackets, maxBytes, stagingSize);
        writer.stageFileHeader();
        return writer;
    }

    private void stageFileHeader() {
        MemorySegment s = stagingSegment;
        s.set(U32, MAGIC_OFFSET, MAGIC_NANOSECONDS);
        s.set(U16, VERSION_MAJOR_OFFSET, (short) VERSION_MAJOR);
        s.set(U16, VERSION_MINOR_OFFSET, (short) VERSION_MINOR);
        s.set(U32, THIS_ZONE_OFFSET, 0);
        s.set(U32, SIG_FIGS_OFFSET, 0);
        s.set(U32, SNAP_LENGTH_OFFSET, snapLength);
        s.set(U32, LINK_TYPE_OFFSET, LINK_TYPE_ETHERNET);
        staged = FILE_HEADER_LENGTH;
        bytesWritten = FILE_HEADER_LENGTH;
        if (maxPackets == 0) {
            state = LIMIT_REACHED;
        }
    }

    // ---------------------------------------------------------------------------------------------- data path

    /**
     * Records one packet of {@code length} bytes at {@code mem[offset]}, the first {@code snapLength} of them.
     *
     * @param timestampNanos nanoseconds since the Unix epoch (a worker adds a wall-clock offset, taken once, to its
     *     monotonic loop time); the file holds whole seconds modulo 2^32 and the nanoseconds
     * @param originalLength the packet's length on the wire, written as {@code orig_len}; at least {@code length}
     * @return true if the packet was recorded; false if refused (a limit reached, the writer failed or closed)
     * @throws IndexOutOfBoundsException if the bytes are not inside {@code mem}
     * @throws IllegalArgumentException if {@code originalLength < length} or {@code length < 0}
     */
    public boolean write(long timestampNanos, MemorySegment mem, long offset, int length, int originalLength) {
        if (length < 0 || originalLength < length) {
            throw new IllegalArgumentException("length " + length + ", original length " + originalLength);
        }
        int included = Math.min(length, snapLength);
        Objects.checkFromIndexSize(offset, included, mem.byteSize());
        int at = reserve(included);
        if (at < 0) {
            return false;
        }
        stageRecordHeader(at, timestampNanos, included, originalLength);
        MemorySegment.copy(mem, offset, stagingSegment, at + RECORD_HEADER_LENGTH, included);
        commit(included, originalLength);
        return true;
    }

    /**
     * Records the packet in the buffer chain starting at {@code chainHead}: its whole length (every buffer's
     * current bytes, in chain order) is {@code orig_len}, and its first {@code snapLength} bytes are copied.
     *
     * @param timestampNanos nanoseconds since the Unix epoch, as for {@link #write(long, MemorySegment, long, int,
     *     int)}
     * @return true if the packet was recorded; false if refused
     */
    public boolean write(long timestampNanos, BufferPool pool, int chainHead) {
        int length = pool.chainLength(chainHead);
        int included = Math.min(length, snapLength);
        int at = reserve(included);
        if (at < 0) {
            return false;
        }
        stageRecordHeader(at, timestampNanos, included, length);
        MemorySegment region = pool.memory();
        long to = at + RECORD_HEADER_LENGTH;
        int left = included;
        for (int i = chainHead; left > 0; i = pool.nextBuffer(i)) {
            int n = Math.min(left, pool.currentLength(i));
            MemorySegment.copy(region, pool.dataOffset(i), stagingSegment, to, n);
            to += n;
            left -= n;
        }
        commit(included, length);
        return true;
    }

    /**
     * Checks the limits and makes room for a record of {@code included} packet bytes; returns where it goes in the
     * staging buffer, or -1 if the packet is refused (counted here).
     */
    private int reserve(int included) {
        if (state != CAPTURING) {
            if (state == LIMIT_REACHED) {
                packetsRefusedByLimit++;
            } else {
                packetsRefusedByFailure++;
            }
            return -1;
        }
        int recordLength = RECORD_HEADER_LENGTH + included;
        if (recordLength > maxBytes - bytesWritten) {
            state = LIMIT_REACHED;
            packetsRefusedByLimit++;
            return -1;
        }
        if (recordLength > stagingSize - staged) {
            try {
                drain();
            } catch (IOException e) {
                failure = e;
                state = FAILED;
                packetsRefusedByFailure++;
                return -1;
            }
        }
        return staged;
    }

    private void stageRecordHeader(int at, long timestampNanos, int included, int originalLength) {
        MemorySegment s = stagingSegment;
        s.set(U32, at + TS_SEC_OFFSET, (int) Math.floorDiv(timestampNanos, NANOS_PER_SECOND));
        s.set(U32, at + TS_FRAC_OFFSET, (int) Math.floorMod(timestampNanos, NANOS_PER_SECOND));
        s.set(U32, at + INCLUDED_LENGTH_OFFSET, included);
        s.set(U32, at + ORIGINAL_LENGTH_OFFSET, originalLength);
    }

    private void commit(int included, int originalLength) {
        int recordLength = RECORD_HEADER_LENGTH + included;
        staged += recordLength;
        bytesWritten += recordLength;
        packetsWritten++;
        if (included < originalLength) {
            packetsTruncated++;
        }
        if (packetsWritten >= maxPackets || bytesWritten == maxBytes) {
            state = LIMIT_REACHED;
        }
    }

    /** Writes the staged bytes to the file (no allocation for a direct buffer). */
    private void drain() throws IOException {
        staging.limit(staged).position(0);
        while (staging.hasRemaining()) {
            channel.write(staging);
        }
        staging.clear();
        staged = 0;
    }

    // ------------------------------------------------------------------------------------------------ control

    /**
     * Writes the staged records to the file (into the kernel's page cache; not forced to the device).
     *
     * @throws IOException if this or an earlier write from the data path failed; the message names the path
     */
    public void flush() throws IOException {
        if (state == CLOSED) {
            return;
        }
        if (state == FAILED) {
            throw failed();
        }
        try {
            drain();
        } catch (IOException e) {
            failure = e;
            state = FAILED;
            throw failed();
        }
    }

    /**
     * Flushes and closes the file. Idempotent: a second call does nothing. The file is closed even when the flush
     * fails.
     *
     * @throws IOException if the final flush, an earlier write or the close failed; the message names the path
     */
    @Override
    public void close() throws IOException {
        if (state == CLOSED) {
            return;
        }
        IOException error = null;
        try {
            flush();
        } catch (IOException e) {
            error = e;
        }
        state = CLOSED;
        try {
            channel.close();
        } catch (IOException e) {
            if (error == null) {
                error = new IOException("pcap " + path + ": close failed: " + e, e);
            } else {
                error.addSuppressed(e);
            }
        }
        if (error != null) {
            throw error;
        }
    }

    private IOException failed() {
        return new IOException("pcap " + path + ": write failed after " + packetsWritten + " packets: " + failure,
                failure);
    }

    // ------------------------------------------------------------------------------------------------- gauges

    /** The file written. */
    public Path path() {
        return path;
    }

    /** Bytes kept of each packet. */
    public int snapLength() {
        return snapLength;
    }

    /** True while packets are taken: no limit reached, no failure, not closed. */
    public boolean isCapturing() {
        return state == CAPTURING;
    }

    /** True once a limit stopped the capture (stays true until closed). */
    public boolean limitReached() {
        return state == LIMIT_REACHED;
    }

    /** True once a write to the file failed. */
    public boolean hasFailed() {
        return state == FAILED || (state == CLOSED && failure != null);
    }

    /** True once closed. */
    public boolean isClosed() {
        return state == CLOSED;
    }

    /** Packets recorded (staged or in the file). */
    public long packetsWritten() {
        return packetsWritten;
    }

    /** Bytes of the file so far, file header and record headers included, staged or written. */
    public long bytesWritten() {
        return bytesWritten;
    }

    /** Packets recorded shorter than they were ({@code incl_len < orig_len}). */
    public long packetsTruncated() {
        return packetsTruncated;
    }

    /** Packets refused because a limit was reached. */
    public long packetsRefusedByLimit() {
        return packetsRefusedByLimit;
    }

    /** Packets refused because a write failed or the writer was closed. */
    public long packetsRefusedByFailure() {
        return packetsRefusedByFailure;
    }

    /** Bytes staged and not yet handed to the file. */
    public int stagedBytes() {
        return staged;
    }

    @Override
    public String toString() {
        return "PcapWriter[" + path + ", snap " + snapLength + ", " + packetsWritten + " packets, " + bytesWritten
                + " bytes, refused " + packetsRefusedByLimit + " by limit, " + packetsRefusedByFailure
                + " by failure]";
    }
}
