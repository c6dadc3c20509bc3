package io.sluice.core.pcap;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The classic libpcap file format, nanosecond variant: offsets and values as named constants.
 *
 * <p>Every field is written little-endian whatever the host; a reader tells the byte order from how the magic
 * number reads (here {@code 4d 3c b2 a1} on disk).
 *
 * <pre>
 * File header, 24 bytes, once at the start:
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 magic 0xa1b23c4d (nanoseconds)                 |  0  MAGIC_OFFSET
 *  +-------------------------------+-------------------------------+
 *  |     version major = 2         |     version minor = 4         |  4  VERSION_MAJOR_OFFSET, VERSION_MINOR_OFFSET
 *  +-------------------------------+-------------------------------+
 *  |                 thiszone = 0 (GMT offset, unused)             |  8  THIS_ZONE_OFFSET
 *  +---------------------------------------------------------------+
 *  |                 sigfigs = 0 (accuracy, unused)                | 12  SIG_FIGS_OFFSET
 *  +---------------------------------------------------------------+
 *  |                 snaplen (max bytes kept per packet)           | 16  SNAP_LENGTH_OFFSET
 *  +---------------------------------------------------------------+
 *  |                 linktype = 1 (LINKTYPE_ETHERNET)              | 20  LINK_TYPE_OFFSET
 *  +---------------------------------------------------------------+
 *
 * Record, 16-byte header then incl_len bytes of the packet, repeated to the end of the file:
 *
 *  +---------------------------------------------------------------+
 *  |                 ts_sec  (seconds since the Unix epoch)        |  0  TS_SEC_OFFSET
 *  +---------------------------------------------------------------+
 *  |                 ts_frac (nanoseconds, 0..999,999,999)         |  4  TS_FRAC_OFFSET
 *  +---------------------------------------------------------------+
 *  |                 incl_len (bytes in the file, &lt;= snaplen)      |  8  INCLUDED_LENGTH_OFFSET
 *  +---------------------------------------------------------------+
 *  |                 orig_len (bytes of the packet on the wire)    | 12  ORIGINAL_LENGTH_OFFSET
 *  +---------------------------------------------------------------+
 *  |                 packet bytes ... (incl_len, no padding)       | 16  RECORD_HEADER_LENGTH
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p><b>Why nanoseconds:</b> the stack's clock is in nanoseconds and so is every timestamp passed to the writer;
 * the nanosecond magic keeps them exactly instead of dividing by 1000. libpcap (since 1.5) and Wireshark's wiretap
 * read it (tested: {@code tshark} 4.0 reads these files), so nothing is lost in compatibility for the tools that
 * matter. Tools that only know {@code 0xa1b2c3d4} are the price; none is used here.
 */
public final class PcapFormat {

    /** Magic number of a file whose record timestamps have microsecond fractions. */
    public static final int MAGIC_MICROSECONDS = 0xa1b2c3d4;
    /** Magic number of a file whose record timestamps have nanosecond fractions: the one written here. */
    public static final int MAGIC_NANOSECONDS = 0xa1b23c4d;
    /** Format version major. */
    public static final int VERSION_MAJOR = 2;
    /** Format version minor. */
    public static final int VERSION_MINOR = 4;
    /** Link type of Ethernet II frames (DLT_EN10MB, LINKTYPE_ETHERNET). */
    public static final int LINK_TYPE_ETHERNET = 1;
    /**
     * Largest snapshot length written: libpcap's {@code MAXIMUM_SNAPLEN}. Wireshark refuses records longer than
     * this for Ethernet, so larger packets (TSO, jumbo chains) are truncated to it.
     */
    public static final int MAX_SNAP_LENGTH = 262_144;

    /** File header: magic number. */
    public static final int MAGIC_OFFSET = 0;
    /** File header: version major, 16 bits. */
    public static final int VERSION_MAJOR_OFFSET = 4;
    /** File header: version minor, 16 bits. */
    public static final int VERSION_MINOR_OFFSET = 6;
    /** File header: time zone correction, always 0. */
    public static final int THIS_ZONE_OFFSET = 8;
    /** File header: timestamp accuracy, always 0. */
    public static final int SIG_FIGS_OFFSET = 12;
    /** File header: snapshot length. */
    public static final int SNAP_LENGTH_OFFSET = 16;
    /** File header: link type. */
    public static final int LINK_TYPE_OFFSET = 20;
    /** Length of the file header. */
    public static final int FILE_HEADER_LENGTH = 24;

    /** Record header: seconds. */
    public static final int TS_SEC_OFFSET = 0;
    /** Record header: fraction of a second, in nanoseconds for {@link #MAGIC_NANOSECONDS}. */
    public static final int TS_FRAC_OFFSET = 4;
    /** Record header: bytes of the packet present in the file. */
    public static final int INCLUDED_LENGTH_OFFSET = 8;
    /** Record header: length of the packet as it was. */
    public static final int ORIGINAL_LENGTH_OFFSET = 12;
    /** Length of a record header; the packet bytes follow it. */
    public static final int RECORD_HEADER_LENGTH = 16;

    /** Nanoseconds in a second. */
    public static final long NANOS_PER_SECOND = 1_000_000_000L;

    /** 32-bit field layout: little-endian, any alignment. */
    public static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** 16-bit field layout: little-endian, any alignment. */
    public static final ValueLayout.OfShort U16 =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private PcapFormat() {}
}
