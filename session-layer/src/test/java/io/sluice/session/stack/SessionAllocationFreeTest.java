package io.sluice.session.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.config.StackConfig;
import io.sluice.core.engine.EngineConfig;
import io.sluice.core.phy.InMemoryWire;
import io.sluice.core.stack.Stack;
import io.sluice.core.sys.NativeFd;
import io.sluice.core.tcp.layer.TcpEvents;
import io.sluice.core.tcp.layer.TcpFlow;
import io.sluice.core.tcp.layer.TcpListener;
import io.sluice.core.util.AllocationMeter;
import io.sluice.core.wire.Ip4Address;
import io.sluice.core.wire.Ip4Prefix;
import io.sluice.session.attach.AttachServer;
import io.sluice.session.attach.MemfdAttachHandler;
import io.sluice.session.attach.NamespaceTable;
import io.sluice.session.fifo.ByteFifo;
import io.sluice.session.fifo.FifoBufferFactory;
import io.sluice.session.mq.MessageHandler;
import io.sluice.session.msg.SessionMessage;
import io.sluice.session.msg.SessionStatus;
import io.sluice.session.segment.SegmentLimits;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The session layer's data path allocates nothing: two stacks in single-thread mode over an in-memory wire, so the
 * test thread runs both graphs and {@link AllocationMeter} sees all their work. Stack A serves an application
 * through the session layer; stack B echoes with plain TCP. Each measured round writes 16 KiB into the session's tx
 * FIFO, posts TX, and runs both engines until the bytes are back in the rx FIFO, draining the RX events and posting
 * DEQUEUED when asked: TX and DEQUEUED requests, RX events and TCP both ways, 0 bytes.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SessionAllocationFreeTest {

    private static final int ROUND = 16 << 10;

    private Stack stack;
    private Stack peer;
    private Echo echo;
    private long handle;
    private ByteFifo tx;
    private ByteFifo rx;
    private TestApplication app;
    private long rxEvents;
    private final MemorySegment out = MemorySegment.ofArray(new byte[ROUND]);
    private final MemorySegment in = MemorySegment.ofArray(new byte[ROUND]);
    private final MessageHandler countRx = (m, at, length) -> {
        if (SessionMessage.type(m, at) == SessionMessage.RX) {
            rxEvents++;
        }
    };

    @Test
    void rxAndTxEventsAllocateNothingInSteadyState() throws Exception {
        Path dir = Files.createTempDirectory("sluice-session-alloc");
        EngineConfig single = EngineConfig.singleThreadMode().withPolledSleepNanos(0);
        StackConfig config = StackConfig.parse("test.conf", "buffers { buffers-per-numa 4096 }");
        try (FifoBufferFactory peerFifos = new FifoBufferFactory(256 << 10, 256 << 10);
                InMemoryWire wire = InMemoryWire.builder().ends("ssa-a", 0x02_00_00_00_0d_01L, "ssa-b",
                        0x02_00_00_00_0d_02L).capacity(1024).build();
                Stack a = Stack.create(config, single, System::nanoTime);
                Stack b = Stack.create(config, single, System::nanoTime);
                MemfdAttachHandler handler = new MemfdAttachHandler(SegmentLimits.DEFAULT,
                        List.<NativeFd>of(a.engine().wakeupFd(0)))) {
            stack = a;
            peer = b;
            a.addInterface(wire.a(), Ip4Prefix.parse("198.18.13.1/24"));
            b.addInterface(wire.b(), Ip4Prefix.parse("198.18.13.2/24"));
            SessionLayer sessions = new SessionLayer(a, handler);
            a.start();
            b.start();
            echo = new Echo(b.tcp().listen(0, 5501, 4, peerFifos, new TcpEvents() { }));
            try (AttachServer server = AttachServer.start(dir.resolve("app.sock"), AttachServer.DEFAULT_MODE,
                    new NamespaceTable(), sessions.attachHandler())) {
                handler.announceThrough(server);
                app = TestApplication.attach(server.path(), "alloc", 256 << 10);
                int context = app.post(0, SessionMessage.CONNECT, 0, Ip4Address.parse("198.18.13.2").bits(), 5501,
                        0, 0);
                TestApplication.Event[] connected = new TestApplication.Event[1];
                pumpUntil(() -> {
                    connected[0] = app.pending().stream().filter(e -> e.context() == context).findFirst()
                            .orElse(null);
                    return connected[0] != null;
                }, "CONNECTED");
                assertEquals(SessionStatus.OK.code(), connected[0].status(), connected[0].toString());
                handle = connected[0].handle();
                TestApplication.Fifos fifos = app.fifos(connected[0]);
                tx = fifos.tx();
                rx = fifos.rx();
                for (int i = 0; i < ROUND; i++) {
                    out.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 7));
                }
                long allocated = AllocationMeter.allocatedInSteadyState(this::round);
                assertEquals(0, allocated, "bytes allocated by one echo round through the session layer");
                assertTrue(rxEvents > 0, "RX events were posted and drained");
                assertEquals(out.asByteBuffer(), in.asByteBuffer(), "the bytes came back intact");
                app.close();
                pumpUntil(() -> handler.applicationCount() == 0, "the application detached");
            }
        }
    }

    /** Echoes the peer stack's accepted connection from its receive FIFO to its send FIFO. */
    private static final class Echo {
        private final TcpListener listener;
        private final MemorySegment chunk = MemorySegment.ofArray(new byte[64 << 10]);
        private TcpFlow flow;

        Echo(TcpListener listener) {
            this.listener = listener;
        }

        void pump() {
            if (flow == null) {
                flow = listener.accept();
                return;
            }
            ByteFifo send = (ByteFifo) flow.buffers().send();
            ByteFifo receive = (ByteFifo) flow.buffers().receive();
            int n = receive.dequeue(chunk, 0, Math.min(send.freeSpace(), (int) chunk.byteSize()));
            if (n > 0) {
                send.enqueue(chunk, 0, n);
                flow.flush();
            }
        }
    }

    /** One echo of {@link #ROUND} bytes: allocation-free on the application side too. */
    private void round() {
        int written = tx.enqueue(out, 0, ROUND);
        if (written != ROUND) {
            throw new IllegalStateException("tx FIFO took " + written + " of " + ROUND);
        }
        app.postIo(SessionMessage.TX, handle);
        int read = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (read < ROUND) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the echo stalled at " + read + " bytes");
            }
            stack.engine().runOnce();
            peer.engine().runOnce();
            echo.pump();
            app.worker.queue().drain(countRx, 64);
            rx.clearEvent();
            int readable = rx.readableBytes();
            int n = rx.dequeue(in, read, ROUND - read);
            read += n;
            if (n > 0 && rx.needsDequeueNotification(readable)) {
                app.postIo(SessionMessage.DEQUEUED, handle);
            }
        }
    }

    private void pumpUntil(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + what + " within 15 s");
            }
            stack.engine().runOnce();
            peer.engine().runOnce();
            echo.pump();
        }
    }
}
