package io.sluice.core.tcp.layer;

import io.sluice.core.config.StackConfig;
import io.sluice.core.engine.EngineConfig;
import io.sluice.core.phy.FaultInjector;
import io.sluice.core.phy.InMemoryWire;
import io.sluice.core.stack.Stack;
import io.sluice.core.tcp.conn.RingReceiveBuffer;
import io.sluice.core.tcp.conn.RingSendBuffer;
import io.sluice.core.wire.Ip4Address;
import io.sluice.core.wire.Ip4Prefix;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Two whole stacks in single-thread mode joined by an in-memory wire, on one virtual clock the test steps: a
 * deterministic simulation of TCP between them, replayable by seed. The test plays both applications between
 * steps, on the same thread, so heap rings serve as the connections' buffers.
 */
final class TcpSimulation implements AutoCloseable {

    static final int A_ADDRESS = Ip4Address.parse("198.18.7.1").bits();
    static final int B_ADDRESS = Ip4Address.parse("198.18.7.2").bits();
    static final int BUFFER_BYTES = 256 * 1024;

    final long[] now = {1_000_000_000L};
    final InMemoryWire wire;
    final Stack a;
    final Stack b;
    final Buffers buffers = new Buffers();
    private final long stepNanos;

    /** A perfect wire, or one with {@code faults} both ways (seeded). */
    TcpSimulation(FaultInjector.Builder faultsAtoB, FaultInjector.Builder faultsBtoA, long stepNanos)
            throws Exception {
        this(faultsAtoB, faultsBtoA, stepNanos, false);
    }

    /** As above, the wire offloading TCP checksums when {@code checksumOffload}. */
    TcpSimulation(FaultInjector.Builder faultsAtoB, FaultInjector.Builder faultsBtoA, long stepNanos,
            boolean checksumOffload) throws Exception {
        this.stepNanos = stepNanos;
        EngineConfig single = EngineConfig.singleThreadMode().withPolledSleepNanos(0);
        StackConfig config = StackConfig.parse("simulation", "buffers { buffers-per-numa 8192 }");
        InMemoryWire.Builder builder = InMemoryWire.builder().ends("tcp-a", 0x02_00_00_00_07_01L, "tcp-b",
                0x02_00_00_00_07_02L).checksumOffload(checksumOffload);
        if (faultsAtoB != null) {
            builder.faultsAtoB(faultsAtoB.build()).faultsBtoA(faultsBtoA.build());
        }
        this.wire = builder.build();
        this.a = Stack.create(config, single, () -> now[0]);
        this.b = Stack.create(config, single, () -> now[0]);
        a.addInterface(wire.a(), Ip4Prefix.parse("198.18.7.1/24"));
        b.addInterface(wire.b(), Ip4Prefix.parse("198.18.7.2/24"));
        a.start();
        b.start();
    }

    /** One pass of each stack, then the clock moves on. */
    void step() {
        a.engine().runOnce();
        b.engine().runOnce();
        now[0] += stepNanos;
    }

    /** Steps (with {@code app} run before each) until {@code done} or {@code maxSteps}; returns whether done. */
    boolean runUntil(BooleanSupplier done, Runnable app, int maxSteps) {
        for (int i = 0; i < maxSteps; i++) {
            if (done.getAsBoolean()) {
                return true;
            }
            app.run();
            step();
        }
        return done.getAsBoolean();
    }

    /** Jumps the clock forward in larger steps (for TIME-WAIT and other long timers). */
    boolean coastUntil(BooleanSupplier done, long jumpNanos, int maxSteps) {
        for (int i = 0; i < maxSteps && !done.getAsBoolean(); i++) {
            a.engine().runOnce();
            b.engine().runOnce();
            now[0] += jumpNanos;
        }
        return done.getAsBoolean();
    }

    @Override
    public void close() {
        try {
            a.close();
        } finally {
            try {
                b.close();
            } finally {
                wire.close();
            }
        }
    }

    /** Heap rings for every connection, counting what is handed out and given back. */
    static final class Buffers implements TcpBufferFactory {
        final AtomicInteger allocated = new AtomicInteger();
        final AtomicInteger released = new AtomicInteger();

        @Override
        public TcpBuffers allocate() {
            allocated.incrementAndGet();
            return new TcpBuffers(new RingSendBuffer(BUFFER_BYTES), new RingReceiveBuffer(BUFFER_BYTES));
        }

        @Override
        public void release(TcpBuffers buffers) {
            released.incrementAndGet();
        }

        @Override
        public int receiveCapacity() {
            return BUFFER_BYTES;
        }
    }

    /**
     * One end of a bulk transfer: sends {@code toSend} bytes of a position-derived pattern, receives and checks
     * {@code toReceive} bytes of the peer's pattern, then closes.
     */
    static final class Endpoint {
        final TcpFlow flow;
        final long toSend;
        final long toReceive;
        final int salt;
        final int peerSalt;
        long sent;
        long received;
        boolean closeRequested;
        long mismatches;
        private boolean connected;
        private final MemorySegment chunk = MemorySegment.ofArray(new byte[16 * 1024]);

        Endpoint(TcpFlow flow, long toSend, long toReceive, int salt, int peerSalt) {
            this.flow = flow;
            this.toSend = toSend;
            this.toReceive = toReceive;
            this.salt = salt;
            this.peerSalt = peerSalt;
        }

        static byte patternAt(long position, int salt) {
            return (byte) (position * 31 + salt + (position >>> 11));
        }

        /** Writes, reads, and closes once everything was written. */
        void pump() {
            if (!connected && !flow.state().isSynchronized()) {
                return; // not connected yet (a close in SYN-SENT would simply drop the connection)
            }
            connected = true;
            RingSendBuffer send = (RingSendBuffer) flow.buffers().send();
            RingReceiveBuffer receive = (RingReceiveBuffer) flow.buffers().receive();
            boolean changed = false;
            // What arrived stays readable after the connection closed: the heap rings outlive it.
            changed |= drain(receive);
            if (flow.isClosed()) {
                return;
            }
            while (sent < toSend) {
                int n = (int) Math.min(chunk.byteSize(), toSend - sent);
                for (int i = 0; i < n; i++) {
                    chunk.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, patternAt(sent + i, salt));
                }
                int written = send.write(chunk, 0, n);
                sent += written;
                changed |= written > 0;
                if (written < n) {
                    break;
                }
            }
            changed |= drain(receive);
            if (changed) {
                flow.flush();
            }
            if (sent == toSend && !closeRequested) {
                closeRequested = true;
                flow.close();
            }
        }

        /** Reads and checks everything the receive ring holds; returns whether anything was read. */
        private boolean drain(RingReceiveBuffer receive) {
            boolean any = false;
            int got;
            while ((got = receive.read(chunk, 0, (int) chunk.byteSize())) > 0) {
                for (int i = 0; i < got; i++) {
                    if (chunk.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i) != patternAt(received + i, peerSalt)) {
                        mismatches++;
                    }
                }
                received += got;
                any = true;
            }
            return any;
        }

        boolean finished() {
            return received == toReceive && closeRequested;
        }
    }
}
