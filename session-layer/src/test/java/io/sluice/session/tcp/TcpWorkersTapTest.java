package io.sluice.session.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.core.config.StackConfig;
import io.sluice.core.graph.Graph;
import io.sluice.core.phy.HostLink;
import io.sluice.core.stack.Stack;
import io.sluice.core.tcp.conn.TcpState;
import io.sluice.core.tcp.layer.TcpEvents;
import io.sluice.core.tcp.layer.TcpFlow;
import io.sluice.core.tcp.layer.TcpListener;
import io.sluice.session.fifo.ByteFifo;
import io.sluice.session.fifo.FifoBufferFactory;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * TCP as it will run under the session layer: two worker threads, a TAP with two queues, the application on its own
 * thread exchanging bytes with the workers through {@link ByteFifo}s. Forty kernel connections (Python threads in a
 * namespace the test creates) each send 256 KiB and read it back from a Sluice echo server. The kernel spreads
 * the flows over the TAP's queues by its own hash, so segments arriving on the worker that does not own their
 * connection must be handed to the one that does: the test checks that this happened, that both workers own
 * connections, and that every byte came back in order.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TcpWorkersTapTest {

    private static final String CLIENTS = """
            import socket, sys, threading, hashlib
            N, SIZE = 40, 256 * 1024
            ok = []
            def run(i):
                data = bytes((i * 7 + k) % 251 for k in range(SIZE))
                s = socket.create_connection((sys.argv[1], 5300), timeout=20)
                t = threading.Thread(target=s.sendall, args=(data,))
                t.start()
                got = bytearray()
                while len(got) < SIZE:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    got += chunk
                t.join()
                s.close()
                if bytes(got) == data:
                    ok.append(i)
            threads = [threading.Thread(target=run, args=(i,)) for i in range(N)]
            for t in threads: t.start()
            for t in threads: t.join()
            print('ok', len(ok))
            """;

    @TempDir
    Path dir;

    @Test
    void fortyConnectionsOverTwoWorkersEchoIntactWithHandOff() throws Exception {
        String reason = HostLink.tapUnavailableReason();
        assumeTrue(reason == null, reason);
        assumeTrue(HostLink.onPath("python3"), "needs python3 for the kernel-side clients");
        String suffix = Long.toString(ProcessHandle.current().pid() % 100_000);
        String namespace = "sltw" + suffix;
        FifoBufferFactory fifos = new FifoBufferFactory(256 * 1024, 256 * 1024);
        try (Stack stack = Stack.create(StackConfig.parse("test.conf", """
                cpu { workers 2 }
                buffers { buffers-per-numa 16384 }
                tap { host-if-name sltw%s host-ns %s host-ip4-addr 198.18.14.1/24 ip4-addr 198.18.14.2/24
                      num-rx-queues 2 }
                """.formatted(suffix, namespace)))) {
            stack.start();
            TcpListener listener = stack.tcp().listen(0, 5300, 64, fifos, new TcpEvents() { });
            Path log = dir.resolve("clients.log");
            Process clients = new ProcessBuilder(HostLink.inNamespace(namespace, "python3", "-c", CLIENTS,
                    "198.18.14.2")).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                Echo echo = new Echo(listener);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                while (clients.isAlive() && System.nanoTime() < deadline) {
                    if (!echo.pump()) {
                        Thread.onSpinWait();
                    }
                }
                assertTrue(clients.waitFor(1, TimeUnit.SECONDS), "the clients finished");
                assertTrue(Files.readString(log).contains("ok 40"), Files.readString(log));
                assertEquals(40, echo.flows.size());
                long[] perWorker = new long[2];
                echo.flows.forEach(f -> perWorker[f.worker()]++);
                assertTrue(perWorker[0] > 0 && perWorker[1] > 0, "both workers own connections: "
                        + perWorker[0] + " and " + perWorker[1]);
                long handedOff = 0;
                for (int w = 0; w < 2; w++) {
                    handedOff += stack.onWorker(w, view -> view.graph().errors().stream()
                            .filter(e -> e.symbol().equals("handed-off")).mapToLong(Graph.ErrorCount::count).sum());
                }
                assertTrue(handedOff > 0, "segments that arrived on the other worker's queue were handed off");
                long closeDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!echo.flows.stream().allMatch(TcpFlow::isClosed) && System.nanoTime() < closeDeadline) {
                    echo.pump();
                }
                assertTrue(echo.flows.stream().allMatch(TcpFlow::isClosed), "every connection closed");
                assertEquals(fifos.allocated(), fifos.released(), "every FIFO pair was given back");
            } finally {
                clients.destroyForcibly();
            }
        } finally {
            if (HostLink.namespaceExists(namespace)) {
                HostLink.deleteNamespace(namespace);
            }
        }
    }

    /** Echoes every accepted connection from its receive FIFO to its send FIFO; closes after the peer did. */
    private static final class Echo {
        final TcpListener listener;
        final List<TcpFlow> flows = new ArrayList<>();
        private final MemorySegment chunk = MemorySegment.ofArray(new byte[64 * 1024]);

        Echo(TcpListener listener) {
            this.listener = listener;
        }

        /** One pass over the connections; returns whether anything moved. */
        boolean pump() {
            boolean moved = false;
            TcpFlow accepted;
            while ((accepted = listener.accept()) != null) {
                flows.add(accepted);
                moved = true;
            }
            for (TcpFlow flow : flows) {
                if (flow.isClosed()) {
                    continue;
                }
                ByteFifo send = (ByteFifo) flow.buffers().send();
                ByteFifo receive = (ByteFifo) flow.buffers().receive();
                int n = receive.dequeue(chunk, 0, Math.min(send.freeSpace(), (int) chunk.byteSize()));
                if (n > 0) {
                    send.enqueue(chunk, 0, n);
                    flow.flush();
                    moved = true;
                } else if (flow.state() == TcpState.CLOSE_WAIT && receive.readableBytes() == 0
                        && flow.attachment() == null) {
                    flow.attach(Boolean.TRUE);
                    flow.close();
                }
            }
            return moved;
        }
    }
}
