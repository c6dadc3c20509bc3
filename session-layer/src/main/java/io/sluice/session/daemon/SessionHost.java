package io.sluice.session.daemon;

import io.sluice.core.config.StackConfig;
import io.sluice.core.stack.Stack;
import io.sluice.core.sys.NativeFd;
import io.sluice.session.attach.AttachServer;
import io.sluice.session.attach.MemfdAttachHandler;
import io.sluice.session.attach.NamespaceTable;
import io.sluice.session.segment.SegmentLimits;
import io.sluice.session.stack.SessionLayer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What lets applications use a stack, in one place for the daemon and for programs that run a stack inside their
 * own JVM (benchmarks, embedded mode): the attach handler (one stack queue per engine worker, woken through the
 * worker's eventfd), the session layer, and the attach server with the configuration's namespaces.
 *
 * <p>Order: {@link #prepare} before {@link Stack#start()} (the session layer adds its node to the workers' graphs),
 * {@link #serve} after it, {@link #close} before the stack closes.
 */
public final class SessionHost implements AutoCloseable {

    private final MemfdAttachHandler applications;
    private final SessionLayer sessions;
    private AttachServer attach;

    private SessionHost(MemfdAttachHandler applications, SessionLayer sessions) {
        this.applications = applications;
        this.sessions = sessions;
    }

    /**
     * Makes the attach handler and, when {@code withSessions}, the session layer for {@code stack} (not started).
     */
    public static SessionHost prepare(Stack stack, boolean withSessions) {
        List<NativeFd> wakeups = new ArrayList<>();
        for (int w = 0; w < stack.engine().workerCount(); w++) {
            wakeups.add(stack.engine().wakeupFd(w));
        }
        MemfdAttachHandler applications = new MemfdAttachHandler(SegmentLimits.DEFAULT, wakeups);
        return new SessionHost(applications, withSessions ? new SessionLayer(stack, applications) : null);
    }

    /**
     * Starts the attach server (the stack is running): at {@code session { app-socket-api }}, with its mode, the
     * group of {@code unix { gid }} and the {@code app-namespace} sections.
     */
    public AttachServer serve(StackConfig config) throws IOException {
        return serve(config.session(), config.unix().gid(), config.namespaces(), Optional.empty());
    }

    /** As {@link #serve(StackConfig)}, on the socket file {@code path}. */
    public AttachServer serve(StackConfig config, Path path) throws IOException {
        return serve(config.session(), config.unix().gid(), config.namespaces(), Optional.of(path));
    }

    private AttachServer serve(StackConfig.Session session, Optional<String> group,
            List<StackConfig.AppNamespace> namespaces, Optional<Path> path) throws IOException {
        if (sessions == null) {
            throw new IllegalStateException("the session layer was not prepared: applications cannot attach");
        }
        NamespaceTable table = new NamespaceTable();
        for (StackConfig.AppNamespace namespace : namespaces) {
            table.add(namespace.id(), namespace.secret());
        }
        attach = path.isPresent()
                ? AttachServer.start(path.get(), session.appSocketMode(), group, table, sessions.attachHandler())
                : AttachServer.start(session, group, table, sessions.attachHandler());
        applications.announceThrough(attach);
        return attach;
    }

    /** The attached applications (for {@code show app}, {@code show segment}, {@code show mq}). */
    public MemfdAttachHandler applications() {
        return applications;
    }

    /** The session layer, or null when not prepared with sessions. */
    public SessionLayer sessions() {
        return sessions;
    }

    /** The attach server, or null before {@link #serve}. */
    public AttachServer attachServer() {
        return attach;
    }

    /** Closes the attach server (detaching every application), the handler and the session layer's channels. */
    @Override
    public void close() throws IOException {
        try {
            if (attach != null) {
                attach.close();
            }
        } finally {
            applications.close();
            if (sessions != null) {
                sessions.close();
            }
        }
    }
}
