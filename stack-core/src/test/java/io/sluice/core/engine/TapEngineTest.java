package io.sluice.core.engine;

import static io.sluice.core.engine.EngineFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.core.buffer.BufferCache;
import io.sluice.core.buffer.BufferPool;
import io.sluice.core.buffer.BufferPoolConfig;
import io.sluice.core.engine.EngineFixture.Recorder;
import io.sluice.core.iface.InterfaceTable;
import io.sluice.core.phy.Device;
import io.sluice.core.phy.HostLink;
import io.sluice.core.phy.DeviceCounters;
import io.sluice.core.phy.TapDevice;
import io.sluice.core.sys.NativeFd;
import io.sluice.core.testing.TestNamespace;
import io.sluice.core.wire.Ethernet;
import io.sluice.core.wire.Ip4Address;
import io.sluice.core.wire.Ipv4;
import io.sluice.core.wire.MacAddress;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A two-queue TAP served by two workers: the kernel side (in a namespace of the test's own) sends UDP datagrams of
 * many flows to a neighbour it knows through a permanent ARP entry, so it transmits frames on the TAP without waiting
 * for any reply. The kernel spreads the flows over the TAP's queues; each queue's frames must reach the worker the
 * queue is placed on, and a sleeping worker must wake on its queue's readiness.
 */
class TapEngineTest {

    private static final int DATAGRAMS = 64;
    private static final String FAKE_NEIGHBOUR = "198.18.0.9";
    private static final long OUR_MAC = MacAddress.parse("02:5c:00:00:00:02").bits();

    private BufferPool pool;
    private Engine engine;
    private TapDevice tap;
    private TestNamespace namespace;

    @AfterEach
    void cleanUp() throws Exception {
        try {
            if (engine != null) {
                engine.close();
            }
            if (tap != null) {
                tap.close();
            }
        } finally {
            try {
                if (namespace != null) {
                    namespace.close();
                }
            } finally {
                if (pool != null) {
                    pool.close();
                }
            }
        }
    }

    @Test
    void framesOfEachTapQueueReachTheWorkerItIsPlacedOnAndWakeIt() throws Exception {
        TestNamespace.assumeAvailable();
        assumeTrue(TestNamespace.onPath("bash"), "needs bash (its /dev/udp redirection sends the datagrams)");
        pool = BufferPool.create(BufferPoolConfig.defaults().withBufferCount(2048).withCacheSize(64));
        String name = TestNamespace.uniqueName("sle");
        tap = TapDevice.open(name, 2, 1500, OUR_MAC);
        namespace = TestNamespace.create("sle");
        HostLink.configure(name, namespace.name(), "198.18.0.1/24", null, 1500);
        namespace.exec("ip", "neigh", "add", FAKE_NEIGHBOUR, "lladdr", "02:5c:00:00:00:09", "dev", name,
                "nud", "permanent");

        AtomicLongArray datagrams = new AtomicLongArray(2);
        AtomicLongArray wrongQueue = new AtomicLongArray(2);
        int neighbour = Ip4Address.parse(FAKE_NEIGHBOUR).bits();
        Recorder all = new Recorder(1, 2);
        engine = new Engine(EngineConfig.workers(2), pool, new InterfaceTable(), EngineFixture.stub(all,
                (node, ctx, buffer) -> {
                    BufferPool p = ctx.pool();
                    if (EngineFixture.opaque(p, buffer, EngineFixture.QUEUE_MARK_OFFSET) != node.worker) {
                        wrongQueue.incrementAndGet(node.worker);
                    }
                    MemorySegment mem = p.memory();
                    long frame = p.dataOffset(buffer);
                    long ip = frame + Ethernet.HEADER_LENGTH;
                    if (Ethernet.etherType(mem, frame) == Ethernet.TYPE_IPV4
                            && Ipv4.protocol(mem, ip) == Ipv4.PROTOCOL_UDP && Ipv4.destination(mem, ip) == neighbour) {
                        datagrams.incrementAndGet(node.worker);
                    }
                    EngineFixture.CONSUME.handle(node, ctx, buffer);
                }));
        engine.addInterface(new QueueMarking(tap));
        assertEquals(List.of(new RxPlacement(new RxQueue(0, name, 0), 0), new RxPlacement(new RxQueue(0, name, 1), 1)),
                engine.rxPlacement());
        engine.start();
        await("both workers asleep", 5_000, () -> engine.loopStats().get(0).sleeps() > 0
                && engine.loopStats().get(1).sleeps() > 0);
        long[] wakeupsBefore = {engine.loopStats().get(0).wakeups(), engine.loopStats().get(1).wakeups()};

        namespace.exec("bash", "-c", "for port in $(seq 9001 " + (9000 + DATAGRAMS)
                + "); do echo sluice > /dev/udp/" + FAKE_NEIGHBOUR + "/$port; done");

        await(DATAGRAMS + " datagrams received", 10_000, () -> datagrams.get(0) + datagrams.get(1) == DATAGRAMS);
        assertEquals(0, wrongQueue.get(0) + wrongQueue.get(1), "a worker got a frame of a queue not placed on it");
        assertTrue(datagrams.get(0) > 0 && datagrams.get(1) > 0, "the kernel used both queues: " + datagrams);
        for (int w = 0; w < 2; w++) {
            assertTrue(engine.loopStats().get(w).wakeups() > wakeupsBefore[w], "worker " + w + " woke on its queue");
        }
    }

    /** Delegates to a device and marks each received buffer with its receive queue (opaque bytes 0 to 3). */
    private record QueueMarking(Device device) implements Device {

        @Override
        public int receive(int queue, long now, BufferCache cache, int[] destination, int offset, int max) {
            int n = device.receive(queue, now, cache, destination, offset, max);
            for (int i = offset; i < offset + n; i++) {
                EngineFixture.setOpaque(cache.pool(), destination[i], EngineFixture.QUEUE_MARK_OFFSET, queue);
            }
            return n;
        }

        @Override
        public int transmit(int queue, long now, BufferCache cache, int[] buffers, int offset, int count) {
            return device.transmit(queue, now, cache, buffers, offset, count);
        }

        @Override
        public String name() {
            return device.name();
        }

        @Override
        public long macAddress() {
            return device.macAddress();
        }

        @Override
        public int mtu() {
            return device.mtu();
        }

        @Override
        public int receiveQueueCount() {
            return device.receiveQueueCount();
        }

        @Override
        public int transmitQueueCount() {
            return device.transmitQueueCount();
        }

        @Override
        public NativeFd receiveReadiness(int queue) {
            return device.receiveReadiness(queue);
        }

        @Override
        public DeviceCounters counters() {
            return device.counters();
        }

        @Override
        public void close() {
            device.close();
        }
    }
}
