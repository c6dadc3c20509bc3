package io.sluice.session.daemon;

import io.sluice.core.config.StackConfig;
import io.sluice.core.stack.Stack;
import io.sluice.session.attach.AttachServer;
import io.sluice.session.control.ControlServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A running stack with what serves it: the session layer, the control socket and the attach socket, built and
 * torn down in one order. The daemon runs one as a process of its own; comms-lib's embedded mode runs one inside
 * the application's JVM.
 */
public final class StackHost {

    private final Stack stack;
    private final SessionHost sessions;
    private ControlServer control;
    private AttachServer attach;

    private StackHost(Stack stack, SessionHost sessions) {
        this.stack = stack;
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
        // The session layer adds its node to the workers' graphs, so it is made before the stack starts.
        StackHost host = new StackHost(stack, SessionHost.prepare(stack, config.session().useAppSocketApi()));
        try {
            stack.start();
            Path socket = config.unix().cliListen().isPresent() ? ControlServer.socketPath(config.unix().cliListen()
                    .get()) : StackDaemon.DEFAULT_CLI_SOCKET;
            Files.createDirectories(socket.getParent());
            host.control = ControlServer.start(socket, config.unix().gid(), new StackControl(stack,
                    host.sessions.applications(), host.sessions.sessions()));
            if (config.session().useAppSocketApi()) {
                host.attach = host.sessions.serve(config);
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
            sessions.close(); // detaches every application
        } catch (IOException e) {
            problems.accept("closing the attach socket: " + e.getMessage());
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
