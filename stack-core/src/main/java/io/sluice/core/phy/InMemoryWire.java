package io.sluice.core.phy;

import io.sluice.core.buffer.BufferCache;
import io.sluice.core.buffer.BufferLayout;
import io.sluice.core.buffer.BufferPool;
import io.sluice.core.sys.NativeFd;
import java.util.Objects;

/**
 * A cable between two stacks in one JVM, for deterministic simulation: two {@link Device}s, {@link #a()} and
 * {@link #b()}, each with one receive and one transmit queue. A frame transmitted on one end is received on the
 * other once the {@code now} passed to {@code receive} has reached its delivery time. Time is whatever the caller
 * passes: a test steps a virtual clock (using {@link Endpoint#nextArrival()} to jump to the next event); a worker
 * passes its loop's {@code System.nanoTime()}.
 *
 * <p>Each direction has its own {@link FaultInjector} (loss, delay, jitter, reordering, duplication,
 * corruption, rate limit) and its own in-flight store:
 *
 * <pre>
 *   A.transmit ──copyOut──▶ slot bytes (preallocated, capacity × slotSize) ──copyIn──▶ B.receive
 *      │ frees A's buffer        │ ordered by (delivery time, sequence)          │ buffer from B's cache
 *      ▼ into A's cache          ▼ in a binary heap of slot numbers              ▼
 * </pre>
 *
 * The two stacks may use different buffer pools: the frame's bytes are copied into a slot at transmit time (the
 * sender's buffer goes back to the sender's cache at once) and out of it into a buffer of the receiver's cache.
 * The slots are preallocated, so nothing is allocated per frame. When all slots of a direction are in flight, a
 * transmitted frame is dropped and counted (device transmit drop and {@link Endpoint#inFlightDrops()}); so is a
 * frame larger than a slot ({@link Endpoint#oversizeDrops()}). A frame lost by the injector counts as
 * transmitted (the device sent it, the wire lost it); a frame refused by the rate limiter's full queue counts as
 * a transmit drop. When the receiver's cache has no buffer, frames stay on the wire until a later receive.
 *
 * <p><b>Threads:</b> the wire is not thread-safe. Both ends are driven by one thread (the simulation, or one
 * worker serving both stacks); a wire between two worker threads would need a single-producer queue per
 * direction instead of the heap.
 */
public final class InMemoryWire implements AutoCloseable {

    /** Bytes of Ethernet framing a slot holds beyond the MTU: the header with one 802.1Q tag. */
    public static final int FRAMING = 18;

    private final Endpoint a;
    private final Endpoint b;

    private InMemoryWire(Builder builder, FaultInjector faultsAtoB, FaultInjector faultsBtoA) {
        int slotSize = builder.mtu + FRAMING;
        DelayLine aToB = new DelayLine(builder.capacity, slotSize, faultsAtoB);
        DelayLine bToA = new DelayLine(builder.capacity, slotSize, faultsBtoA);
        a = new Endpoint(builder.nameA, builder.macA, builder.mtu, aToB, bToA, builder.checksumOffload);
        b = new Endpoint(builder.nameB, builder.macB, builder.mtu, bToA, aToB, builder.checksumOffload);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The first end; its transmissions suffer {@link Builder#faultsAtoB}. */
    public Endpoint a() {
        return a;
    }

    /** The second end; its transmissions suffer {@link Builder#faultsBtoA}. */
    public Endpoint b() {
        return b;
    }

    /** Closes both ends, discarding the frames in flight. */
    @Override
    public void close() {
        a.close();
        b.close();
    }

    /** One end of the wire. */
    public static final class Endpoint extends AbstractDevice {

        private final DelayLine out;
        private final DelayLine in;
        private final boolean checksumOffload;
        private boolean closed;

        private Endpoint(String name, long mac, int mtu, DelayLine out, DelayLine in, boolean checksumOffload) {
            super(name, mac, mtu, 1, 1);
            this.out = out;
            this.in = in;
            this.checksumOffload = checksumOffload;
        }

        @Override
        public boolean checksumOffload() {
            return checksumOffload;
        }

        @Override
        public int receive(int queue, long now, BufferCache cache, int[] destination, int offset, int max) {
            if (closed) {
                return 0;
            }
            int n = 0;
            while (n < max) {
                int buffer = in.takeDue(now, cache);
                if (buffer == BufferPool.NO_BUFFER) {
                    break; // none due, or no buffer: it stays on the wire until the receiver has buffers again
                }
                destination[offset + n++] = buffer;
                // A partial checksum that crossed uncorrupted (the line drops the flag of a corrupted frame) is
                // vouched for; a received frame has nothing left to complete.
                int flags = cache.pool().flags(buffer);
                if (checksumOffload && (flags & BufferLayout.FLAG_L4_CHECKSUM_PARTIAL) != 0) {
                    flags |= BufferLayout.FLAG_L4_CHECKSUM_VERIFIED;
                }
                cache.pool().setFlags(buffer, flags & ~BufferLayout.FLAG_L4_CHECKSUM_PARTIAL);
                counters.received(queue, cache.pool().chainLength(buffer));
            }
            return n;
        }

        @Override
        public int transmit(int queue, long now, BufferCache cache, int[] buffers, int offset, int count) {
            BufferPool pool = cache.pool();
            int sent = 0;
            for (int k = offset; k < offset + count; k++) {
                int buffer = buffers[k];
                int length = pool.chainLength(buffer);
                if (!closed && out.offer(now, pool, buffer, length)) {
                    counters.transmitted(queue, length);
                    sent++;
                } else {
                    counters.transmitDropped(queue);
                }
                cache.freeChain(buffer);
            }
            return sent;
        }

        /** The wire is polled: there is no descriptor to sleep on. */
        @Override
        public NativeFd receiveReadiness(int queue) {
            return null;
        }

        /** The faults applied to what this end transmits. */
        public FaultInjector faults() {
            return out.faults;
        }

        /** When the earliest frame on its way to this end arrives, or {@link Long#MAX_VALUE} if none is. */
        public long nextArrival() {
            return in.nextDue();
        }

        /** Frames on their way to this end. */
        public int framesInFlight() {
            return in.size();
        }

        /** Frames this end transmitted that were dropped because every slot of the direction was in flight. */
        public long inFlightDrops() {
            return out.inFlightDrops;
        }

        /** Frames this end transmitted that were dropped because they were larger than a slot. */
        public long oversizeDrops() {
            return out.oversizeDrops;
        }

        /** Discards the frames on their way to this end; later transmissions are dropped and counted. */
        @Override
        public void close() {
            closed = true;
            in.clear();
        }

        @Override
        public String toString() {
            return "in-memory wire end " + name();
        }
    }

    /** Configuration of a wire; every setter checks its argument. */
    public static final class Builder {

        private String nameA = "wire-a";
        private String nameB = "wire-b";
        private long macA = 0x02_00_00_00_00_0aL;
        private long macB = 0x02_00_00_00_00_0bL;
        private int mtu = 1500;
        private int capacity = 1024;
        private boolean checksumOffload;
        private FaultInjector aToB;
        private FaultInjector bToA;

        private Builder() {}

        /** Names and MAC addresses (48 bits) of the two ends. */
        public Builder ends(String a, long macOfA, String b, long macOfB) {
            nameA = Objects.requireNonNull(a, "name of end a");
            nameB = Objects.requireNonNull(b, "name of end b");
            if (a.equals(b)) {
                throw new IllegalArgumentException("the two ends need different names, both are " + a);
            }
            macA = AbstractDevice.checkMac(macOfA);
            macB = AbstractDevice.checkMac(macOfB);
            return this;
        }

        /** The largest IP packet carried, 68..65535 (default 1500); a slot holds it plus {@link #FRAMING}. */
        public Builder mtu(int bytes) {
            mtu = AbstractDevice.checkMtu(bytes);
            return this;
        }

        /** Frames in flight per direction, 1..1,048,576 (default 1024): the slots preallocated for each. */
        /**
         * Whether both ends offload TCP checksums (default false): frames cross with partial checksums and arrive
         * marked verified — except frames the fault injector corrupted, which the receiving stack then checks and
         * drops, as a NIC's hardware check would. The kernel does the same over a veth pair.
         */
        public Builder checksumOffload(boolean on) {
            checksumOffload = on;
            return this;
        }

        public Builder capacity(int frames) {
            if (frames < 1 || frames > 1 << 20) {
                throw new IllegalArgumentException("in-flight capacity must be in [1, 1048576] frames, got " + frames);
            }
            capacity = frames;
            return this;
        }

        /** Faults for frames from a to b (default none). An injector serves one direction of one wire only. */
        public Builder faultsAtoB(FaultInjector faults) {
            aToB = Objects.requireNonNull(faults, "faults a to b");
            return this;
        }

        /** Faults for frames from b to a (default none). */
        public Builder faultsBtoA(FaultInjector faults) {
            bToA = Objects.requireNonNull(faults, "faults b to a");
            return this;
        }

        public InMemoryWire build() {
            if (aToB != null && aToB == bToA) {
                throw new IllegalArgumentException("each direction needs its own FaultInjector (they hold state)");
            }
            if ((long) capacity * (mtu + FRAMING) > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("capacity " + capacity + " × slot " + (mtu + FRAMING)
                        + " bytes does not fit in one array; lower the capacity or the mtu");
            }
            return new InMemoryWire(this, aToB != null ? aToB : FaultInjector.none(),
                    bToA != null ? bToA : FaultInjector.none());
        }
    }
}
