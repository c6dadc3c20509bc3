package io.sluice.session.stack;

import io.sluice.session.mq.MessageQueue;
import io.sluice.session.segment.SegmentManager;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An attached application as the session layer sees it: the queues it posts to (one per stack worker), the ports of
 * its workers, its FIFO segments, and how many sessions it holds. The attach thread changes the worker ports
 * (copy on write, published through a volatile field); stack workers only read them.
 */
final class StackApplication {

    final int index;
    final String name;
    /** The application namespace it attached to: cut-through joins only applications of one namespace. */
    final String namespace;
    /** ATTACH's scopes: cut through to applications of this stack; go through TCP. */
    final boolean scopeLocal;
    final boolean scopeGlobal;
    final SegmentManager fifos;
    /** Per stack worker: the queue that worker consumes. */
    final MessageQueue[] stackQueues;
    final SessionFifos tcpBuffers;
    /** Sessions whose table entry is taken (on any worker); the application's memory goes only at zero. */
    final AtomicInteger sessions = new AtomicInteger();
    private volatile AppWorkerPort[] ports = new AppWorkerPort[0];
    private volatile boolean detaching;

    StackApplication(int index, String name, String namespace, boolean scopeLocal, boolean scopeGlobal,
            SegmentManager fifos, MessageQueue[] stackQueues, SessionLayer layer) {
        this.index = index;
        this.name = name;
        this.namespace = namespace;
        this.scopeLocal = scopeLocal;
        this.scopeGlobal = scopeGlobal;
        this.fifos = fifos;
        this.stackQueues = stackQueues;
        this.tcpBuffers = new SessionFifos(fifos, layer);
    }

    /** The port of application worker {@code appWorker}, or null if it has none (never added, or removed). */
    AppWorkerPort port(int appWorker) {
        AppWorkerPort[] current = ports;
        return appWorker >= 0 && appWorker < current.length ? current[appWorker] : null;
    }

    /** Adds or replaces a worker's port (attach thread). */
    synchronized void setPort(int appWorker, AppWorkerPort port) {
        AppWorkerPort[] grown = Arrays.copyOf(ports, Math.max(ports.length, appWorker + 1));
        grown[appWorker] = port;
        ports = grown;
    }

    boolean isDetaching() {
        return detaching;
    }

    void markDetaching() {
        detaching = true;
    }

    @Override
    public String toString() {
        return "application " + index + " ('" + name + "')";
    }
}
