package io.sluice.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.session.control.ControlColumn;
import io.sluice.session.control.ControlReply;
import io.sluice.session.control.ControlRequest;
import io.sluice.session.control.ControlServer;
import io.sluice.session.control.ControlTable;
import io.sluice.session.control.ControlTables;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/sluice ctl} against a control server with a fake stack behind it. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CtlCommandTest {

    private static final ControlTable BUFFERS = ControlTables.buffers().row(16384, 16000, 384, 256, 0, 0, 2048)
            .build();
    private static final ControlTable RUNTIME = ControlTables.runtime(1, 0)
            .row("tap0-input", 120, 3000, 25.0, 41.5)
            .row("ip4-input", 7, 7, 1.0, Double.NaN)
            .build();
    private static final ControlTable LOOPS = ControlTables.workerLoops().row(1, 0, 123456, 12).build();
    private static final ControlTable AWKWARD = ControlTable.builder("quote \" and \\ and\nnewline",
            List.of(ControlColumn.text("text"), ControlColumn.integer("n"), ControlColumn.decimal("d")))
            .row("tab\there \u0001 \u00e9", -5, 1e-7).row("", Long.MAX_VALUE, Double.POSITIVE_INFINITY).build();

    @TempDir
    Path dir;

    private final List<ControlRequest> received = new ArrayList<>();
    private ControlServer server;

    @BeforeEach
    void startFakeStack() throws IOException {
        server = ControlServer.start(dir.resolve("cli.sock"), Optional.empty(), request -> {
            received.add(request);
            return switch (request) {
                case ControlRequest.ShowBuffers r -> ControlReply.of(BUFFERS);
                case ControlRequest.ShowRuntime r -> ControlReply.of(RUNTIME, LOOPS);
                case ControlRequest.ShowHardware r -> ControlReply.of(AWKWARD);
                case ControlRequest.SetInterfaceState r -> ControlReply.failure("no interface '" + r.iface() + "'");
                case ControlRequest.SetRxMode r -> ControlReply.failure("no interface '" + r.iface() + "'");
                default -> ControlReply.ok();
            };
        });
    }

    @AfterEach
    void stopFakeStack() throws IOException {
        server.close();
    }

    @Test
    void printsAlignedTables() {
        Run run = ctl("-s", server.path().toString(), "show", "runtime");
        assertEquals(0, run.code, run.err);
        assertEquals("""
                Thread 1 worker 0
                node        calls  vectors  vectors/call  ns/packet
                tap0-input    120     3000         25.00      41.50
                ip4-input       7        7          1.00          -

                Worker loops
                thread  worker  passes  sleeps
                     1       0  123456      12
                """, run.out);
        assertEquals(List.of(new ControlRequest.ShowRuntime()), received);
    }

    @Test
    void jsonCarriesTheSameDataAndIsValid() throws Exception {
        Run run = ctl("-s", server.path().toString(), "--json", "show", "hardware");
        assertEquals(0, run.code, run.err);
        // Python's json module parses it and prints what it read back, in a fixed form.
        String parsed = python("import json,sys; d=json.load(sys.stdin); t=d[0];"
                + " print(len(d), repr(t['title']), [(c['name'], c['type']) for c in t['columns']], t['rows'])",
                run.out);
        assertEquals("1 'quote \" and \\\\ and\\nnewline' [('text', 'text'), ('n', 'integer'), ('d', 'decimal')]"
                + " [['tab\\there \\x01 \u00e9', -5, 1e-07], ['', 9223372036854775807, None]]\n", parsed);
        Run runtime = ctl("-s", server.path().toString(), "sh", "run", "--json");
        assertEquals("2 Worker loops [[1, 0, 123456, 12]]\n", python("import json,sys; d=json.load(sys.stdin);"
                + " print(len(d), d[1]['title'], d[1]['rows'])", runtime.out));
    }

    @Test
    void abbreviationsNameTheirCommands() throws Exception {
        assertEquals(new ControlRequest.ShowInterfaces(), CtlCommands.parse(List.of("sh", "int")));
        assertEquals(new ControlRequest.ShowRxPlacement(), CtlCommands.parse(List.of("sh", "int", "rx")));
        assertEquals(new ControlRequest.ShowRuntime(), CtlCommands.parse(List.of("sh", "run")));
        assertEquals(new ControlRequest.ShowIpArp(), CtlCommands.parse(List.of("sh", "ip", "a")));
        assertEquals(new ControlRequest.Clear(ControlRequest.ClearTarget.ERRORS),
                CtlCommands.parse(List.of("cl", "err")));
        assertEquals(new ControlRequest.SetRxPlacement("tap0", 1, 2),
                CtlCommands.parse(List.of("set", "int", "rx-p", "tap0", "q", "1", "w", "2")));
        assertEquals(new ControlRequest.SetInterfaceState("tap0", false),
                CtlCommands.parse(List.of("set", "interface", "state", "tap0", "down")));
        assertEquals(new ControlRequest.SetRxMode("tap0", true),
                CtlCommands.parse(List.of("set", "int", "rx-m", "tap0", "polling")));
        assertEquals(new ControlRequest.PcapTraceOn(true, true, 5, dir.resolve("x.pcap").toString()),
                CtlCommands.parse(List.of("pcap", "trace", "rx", "tx", "max", "5", "file",
                        dir.resolve("sub/../x.pcap").toString())));
        assertEquals(new ControlRequest.PcapTraceOn(false, true, CtlCommands.DEFAULT_PCAP_MAX,
                CtlCommands.DEFAULT_PCAP_FILE), CtlCommands.parse(List.of("pcap", "tr", "tx")));
        assertEquals(new ControlRequest.PcapTraceOff(), CtlCommands.parse(List.of("pcap", "trace", "off")));
        Run run = ctl("-s", server.path().toString(), "sh", "buf");
        assertEquals(0, run.code, run.err);
        assertTrue(run.out.startsWith("Buffers\ntotal   free  in-use"), run.out);
    }

    @Test
    void unclearCommandsSayWhy() {
        assertUsage("'s' is ambiguous: show, set", "s", "ip", "a");
        assertUsage("'show i' is ambiguous: show interface, show ip", "show", "i");
        assertUsage("'show ip' is incomplete: show ip arp, show ip fib", "show", "ip");
        assertUsage("'show interface' takes no arguments, not 'tap0'", "show", "interface", "tap0");
        assertUsage("usage: set interface state <if> up|down", "set", "int", "state", "tap0", "sideways");
        assertUsage("queue must be a number 0 or more, not 'x'", "set", "int", "rx-p", "tap0", "queue", "x", "w",
                "1");
        assertUsage("'set interface rx' is ambiguous: set interface rx-placement, set interface rx-mode", "set", "int",
                "rx", "tap0", "polling");
        assertUsage("usage: set interface rx-mode <if> polling|adaptive", "set", "int", "rx-mode", "tap0", "fast");
        assertUsage("pcap trace needs rx, tx or both, e.g. pcap trace rx tx max 1000 file /tmp/sluice.pcap",
                "pcap", "trace", "max", "3");
    }

    @Test
    void unknownCommandSuggestsTheNearestAndListsTheCommands() {
        Run run = ctl("-s", server.path().toString(), "show", "interfce");
        assertEquals(2, run.code);
        assertTrue(run.err.startsWith("sluice ctl: unknown command 'show interfce' (did you mean 'show interface'?)\n"),
                run.err);
        assertTrue(run.err.contains("\n  show ip fib ") && run.err.contains("\n  pcap trace off "), run.err);
        Run shwo = ctl("-s", server.path().toString(), "shwo", "int");
        assertTrue(shwo.err.startsWith("sluice ctl: unknown command 'shwo int' (did you mean 'show'?)\n"), shwo.err);
        Run longer = ctl("-s", server.path().toString(), "sh", "intx");
        assertTrue(longer.err.startsWith("sluice ctl: unknown command 'sh intx' (did you mean 'show interface'?)\n"),
                longer.err);
        Run nothing = ctl("-s", server.path().toString(), "frobnicate");
        assertTrue(nothing.err.startsWith("sluice ctl: unknown command 'frobnicate'\n"), nothing.err);
        assertEquals(List.of(), received);
    }

    @Test
    void aFailureFromTheStackIsPrintedWithStatusOne() {
        Run run = ctl("-s", server.path().toString(), "set", "interface", "state", "tap9", "up");
        assertEquals(1, run.code);
        assertEquals("sluice ctl: no interface 'tap9'\n", run.err);
        assertEquals("", run.out);
    }

    @Test
    void theSocketComesFromTheEnvironmentWhenNotGiven() {
        Run run = ctl(Map.of(CtlCommand.SOCKET_VARIABLE, server.path().toString()), "clear", "runtime");
        assertEquals(0, run.code, run.err);
        assertEquals("", run.out);
        assertEquals(List.of(new ControlRequest.Clear(ControlRequest.ClearTarget.RUNTIME)), received);
    }

    @Test
    void noStackIsAClearErrorWithStatusOne() throws Exception {
        Path missing = dir.resolve("none.sock");
        Run run = ctl("-s", missing.toString(), "show", "int");
        assertEquals(1, run.code);
        assertTrue(run.err.startsWith("sluice ctl: no stack is listening on " + missing + ": " + missing
                + " does not exist"), run.err);

        Path stale = dir.resolve("stale.sock");
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(stale));
        }
        run = ctl("-s", stale.toString(), "show", "int");
        assertEquals(1, run.code);
        assertEquals("sluice ctl: no stack is listening on " + stale + " (connection refused)\n", run.err);
    }

    @Test
    void helpListsEveryCommand() {
        Run run = ctl("help");
        assertEquals(0, run.code);
        for (CtlCommands.Command command : CtlCommands.ALL) {
            assertTrue(run.out.contains("  " + command.usage() + " "), command.usage());
        }
        assertEquals(2, ctl().code);
        assertEquals(2, ctl("--bogus", "show", "int").code);
    }

    @Test
    void unknownSubcommandOfCtlIsNotSentToTheStack() {
        assertThrows(CtlUsageException.class, () -> CtlCommands.parse(List.of("delete", "everything")));
    }

    private void assertUsage(String message, String... words) {
        CtlUsageException e = assertThrows(CtlUsageException.class, () -> CtlCommands.parse(List.of(words)));
        assertEquals(message, e.getMessage());
    }

    private record Run(int code, String out, String err) {}

    private static Run ctl(String... args) {
        return ctl(Map.of(), args);
    }

    private static Run ctl(Map<String, String> environment, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = CtlCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), environment::get);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Runs a Python snippet with {@code input} on its standard input; returns its standard output. */
    private static String python(String script, String input) throws Exception {
        Process process = new ProcessBuilder("python3", "-c", script).redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try (var stdin = process.getOutputStream()) {
            stdin.write(input.getBytes(StandardCharsets.UTF_8));
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(20, TimeUnit.SECONDS), "python3 did not finish");
        assertEquals(0, process.exitValue(), "python3 rejected:\n" + input);
        return output;
    }
}
