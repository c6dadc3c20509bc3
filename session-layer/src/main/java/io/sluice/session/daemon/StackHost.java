package io.sluice.session.daemon;

import io.sluice.core.config.StackConfig;
import io.sluice.core.stack.Stack;
import io.sluice.core.sys.NativeFd;
import io.sluice.session.attach.AttachServer;
import io.sluice.session.attach.MemfdAttachHandler;
import io.sluice.session.attach.NamespaceTable;
import io.sluice.session.control.ControlServer;
import io.sluice.session.segment.SegmentLimits;
import io.sluice.session.stack.SessionLayer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A running stack with what serves it: the session layer, the control socket and the attach socket, built and
 * torn down in one order. The daemon runs one as a process of its own; comms-lib's embedded mode runs one inside
 * the application's JVM.
 */
public final class StackHost {

    private final Stack stack;
    private final MemfdAttachHandler applications;
    private final SessionLayer sessions;
    private ControlServer control;
    private AttachServer attach;

    private StackHost(Stack stack, MemfdAttachHandler applications, SessionLayer sessions) {
        this.stack = stack;
        this.applications = applications;
        this.sessions = sessions;
    }

    /**
     * Builds the stack from the configuration, starts it, and opens the control socket and (with
     * {@code session { use-app-socket-api }}) the attach socket. In single-thread mode the caller then runs
     * {@code stack().engine().runOnce()} on this thread.
     *
     * @param config the stack's configuration
     * @return the running host
     * @throws IOException when a device or socket cannot be made; what was made is closed again
     */
    public static StackHost start(StackConfig config) throws IOException {
        Stack stack = Stack.create(config);
        List<NativeFd> wakeups = new ArrayList<>();
        for (int w = 0; w < stack.engine().workerCount(); w++) {
            wakeups.add(stack.engine().wakeupFd(w));
        }
        MemfdAttachHandler applications = new MemfdAttachHandler(SegmentLimits.DEFAULT, wakeups);
        // The session layer adds its node to the workers' graphs, so it is made before the stack starts.
        SessionLayer sessions = config.session().useAppSocketApi() ? new SessionLayer(stack, applications) : null;
        StackHost host = new StackHost(stack, applications, sessions);
        try {
            stack.start();
            Path socket = config.unix().cliListen().isPresent() ? ControlServer.socketPath(config.unix().cliListen()
                    .get()) : StackDaemon.DEFAULT_CLI_SOCKET;
            Files.createDirectories(socket.getParent());
            host.control = ControlServer.start(socket, config.unix().gid(), new StackControl(stack, applications,
                    sessions));
            if (sessions != null) {
                NamespaceTable namespaces = new NamespaceTable();
                for (StackConfig.AppNamespace namespace : config.namespaces()) {
                    namespaces.add(namespace.id(), namespace.secret());
                }
                host.attach = AttachServer.start(config.session(), config.unix().gid(), namespaces,
                        sessions.attachHandler());
                applications.announceThrough(host.attach);
            }
            return host;
        } catch (IOException | RuntimeException e) {
            host.close(problem -> e.addSuppressed(new IOException(problem)));
            throw e;
        }
    }

    /** @return the stack */
    public Stack stack() {
        return stack;
    }

    /** @return the control socket's path */
    public Path controlSocket() {
        return control.path();
    }

    /** @return the attach socket's path, if applications may attach */
    public Optional<Path> attachSocket() {
        return Optional.ofNullable(attach).map(AttachServer::path);
    }

    /**
     * Detaches every application, closes the sockets and stops the stack; goes on past a failing step.
     *
     * @param problems told each step that failed, in words
     */
    public void close(Consumer<String> problems) {
        try {
            if (attach != null) {
                attach.close(); // detaches every application
            }
        } catch (IOException e) {
            problems.accept("closing the attach socket: " + e.getMessage());
        }
        applications.close();
        if (sessions != null) {
            sessions.close();
        }
        try {
            if (control != null) {
                control.close();
            }
        } catch (IOException e) {
            problems.accept("closing the control socket: " + e.getMessage());
        }
        try {
            stack.close();
        } catch (RuntimeException e) {
            problems.accept(e.getMessage());
        }
    }
}
