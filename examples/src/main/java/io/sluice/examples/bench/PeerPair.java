package io.sluice.examples.bench;

import io.sluice.core.config.StackConfig;
import io.sluice.core.phy.LoopbackDevice;
import io.sluice.core.wire.Ip4Prefix;
import io.sluice.session.daemon.SessionHost;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the application-to-application benchmarks share: a stack in the bench's JVM that applications attach to
 * (one worker, a loopback interface for {@link #STACK_ADDRESS}), and a server and a client {@link StreamPeer} in JVMs
 * of their own, killed on every way out.
 */
final class PeerPair {

    /** The stack's address: a connect to it reaches a local listener, so the session is cut through. */
    static final String STACK_ADDRESS = "198.18.250.1";
    private static final long CHILD_SECONDS = 120;

    private PeerPair() {
    }

    /** A stack serving applications on a socket in a temporary directory. */
    record Stack(io.sluice.core.stack.Stack stack, SessionHost host, Path socket) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            try {
                host.close();
            } finally {
                stack.close();
                Files.deleteIfExists(socket);
                Files.deleteIfExists(socket.getParent());
            }
        }
    }

    static Stack startStack() throws IOException {
        Path socket = Files.createTempDirectory("sluice-bench").resolve("app.sock");
        StackConfig config = StackConfig.parse("bench stack", """
                cpu { workers 1 }
                buffers { buffers-per-numa 4096 }
                session { use-app-socket-api }
                """);
        io.sluice.core.stack.Stack stack = io.sluice.core.stack.Stack.create(config);
        try {
            stack.addInterface(new LoopbackDevice("ct0", 0x02fe_0000_0250L, 1500, 256),
                    Ip4Prefix.parse(STACK_ADDRESS + "/24"));
            SessionHost host = SessionHost.prepare(stack, true);
            stack.start();
            host.serve(config, socket);
            return new Stack(stack, host, socket);
        } catch (IOException | RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    /**
     * Runs a server JVM (it prints {@code ready} once it listens) and a client JVM; returns the words of the
     * {@code result} line of the one that reports ({@code serverReports}: the server, else the client).
     */
    static String[] run(List<String> serverArgs, List<String> clientArgs, boolean serverReports) throws Exception {
        Process server = child(serverArgs);
        Process client = null;
        try {
            BufferedReader serverLines = lines(server);
            String line = serverLines.readLine();
            if (!"ready".equals(line)) {
                throw new IOException("the server did not start: " + line + drain(serverLines));
            }
            client = child(clientArgs);
            BufferedReader reporter = serverReports ? serverLines : lines(client);
            line = reporter.readLine();
            while (line != null && !line.startsWith("result ")) {
                line = reporter.readLine();
            }
            if (line == null) {
                client.waitFor(10, TimeUnit.SECONDS);
                throw new IOException("no result: the server said " + drain(serverLines) + "\nthe client said "
                        + (serverReports ? drain(lines(client)) : "(see above)"));
            }
            if (!client.waitFor(CHILD_SECONDS, TimeUnit.SECONDS)) {
                throw new IOException("the client did not end");
            }
            return line.split(" ");
        } finally {
            server.destroyForcibly();
            if (client != null) {
                client.destroyForcibly();
            }
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static BufferedReader lines(Process process) {
        return new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    private static String drain(BufferedReader lines) throws IOException {
        StringBuilder rest = new StringBuilder();
        String line;
        while ((line = lines.readLine()) != null && rest.length() < 4000) {
            rest.append('\n').append(line);
        }
        return rest.toString();
    }

    private static Process child(List<String> args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-Xmx256m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(StreamPeer.class.getName());
        command.addAll(args);
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }
}
