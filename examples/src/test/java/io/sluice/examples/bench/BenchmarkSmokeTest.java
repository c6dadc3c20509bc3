package io.sluice.examples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs each benchmark program with {@code --quick} in this JVM and checks that it completes, proves its data
 * arrived, and ends with its summary line in the documented form with positive figures. Not a speed test.
 */
class BenchmarkSmokeTest {

    private static final String NUMBER = "(\\d+\\.\\d{2})";

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void fifoQuickRunEndsWithItsSummaryLine() throws Exception {
        String last = runQuick("fifo");
        Matcher m = Pattern.compile("bench fifo: sluice " + NUMBER + " GB/s, memcpy " + NUMBER + " GB/s, kernel-tcp "
                + NUMBER + " GB/s, ratio " + NUMBER).matcher(last);
        assertTrue(m.matches(), "last line: " + last);
        assertPositive(m, 3);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void mqQuickRunEndsWithItsSummaryLine() throws Exception {
        String last = runQuick("mq");
        Matcher m = Pattern.compile("bench mq: sluice " + NUMBER + " Mevents/s, jctools-spsc " + NUMBER
                + " Mevents/s, ratio " + NUMBER).matcher(last);
        assertTrue(m.matches(), "last line: " + last);
        assertPositive(m, 2);
    }

    /** Also checks the run itself: a wrong reply, a drop or an unreturned buffer makes the program exit 1. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void engineQuickRunEndsWithItsSummaryLine() throws Exception {
        String last = runQuick("engine");
        Matcher m = Pattern.compile("bench engine: sluice " + NUMBER + " Mpps \\((\\d+\\.\\d) ns/packet\\), "
                + "packet-by-packet " + NUMBER + " Mpps, ratio " + NUMBER).matcher(last);
        assertTrue(m.matches(), "last line: " + last);
        assertPositive(m, 4);
    }

    /** Skipped inside the program (a line saying why) where TAP interfaces and namespaces cannot be made. */
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void pingQuickRunEndsWithItsSummaryLine() throws Exception {
        String last = runQuick("ping");
        Matcher m = Pattern.compile("bench ping: sluice-tap-polling (\\d+\\.\\d{3}) ms, kernel-veth (\\d+\\.\\d{3}) ms,"
                + " ratio " + NUMBER).matcher(last);
        assertTrue(m.matches() || last.startsWith("bench ping: skipped: "), "last line: " + last);
        if (m.matches()) {
            assertPositive(m, 3);
        }
    }

    /** The kernel contenders are skipped inside the program (a line saying why) without root, TAP or iperf3. */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void tcpQuickRunEndsWithItsSummaryLine() throws Exception {
        String last = runQuick("tcp");
        Matcher m = Pattern.compile("bench tcp: sluice " + NUMBER + " Gbit/s, kernel-veth (\\d+\\.\\d{2}|n/a) Gbit/s,"
                + " ratio (\\d+\\.\\d{2}|n/a)").matcher(last);
        assertTrue(m.matches(), "last line: " + last);
        assertTrue(Double.parseDouble(m.group(1)) > 0, "Sluice moved data: " + last);
    }

    /** Two application JVMs and a stack in this one: the session must be cut through, or the program fails. */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void cutThroughQuickRunEndsWithItsSummaryLine() throws Exception {
        String last = runQuick("cut-through");
        Matcher m = Pattern.compile("bench cut-through: sluice " + NUMBER + " Gbit/s, kernel-loopback " + NUMBER
                + " Gbit/s, ratio " + NUMBER).matcher(last);
        assertTrue(m.matches(), "last line: " + last);
        assertPositive(m, 3);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void rrQuickRunEndsWithItsSummaryLine() throws Exception {
        String last = runQuick("rr");
        Matcher m = Pattern.compile("bench rr: sluice-poll (\\d+) rt/s, sluice-eventfd (\\d+) rt/s, kernel-loopback"
                + " (\\d+) rt/s, ratio " + NUMBER).matcher(last);
        assertTrue(m.matches(), "last line: " + last);
        for (int group = 1; group <= 3; group++) {
            assertTrue(Long.parseLong(m.group(group)) > 0, "every contender made round trips: " + last);
        }
    }

    /** Echoes on the Sluice transport (cut through) and on epoll; a byte echoed wrong fails the program. */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void nettyEchoQuickRunEndsWithItsSummaryLine() throws Exception {
        String last = runQuick("netty-echo");
        Matcher m = Pattern.compile("bench netty-echo: sluice (\\d+) rt/s, epoll (\\d+|n/a) rt/s, ratio ("
                + "\\d+\\.\\d{2}|n/a)").matcher(last);
        assertTrue(m.matches(), "last line: " + last);
        assertTrue(Long.parseLong(m.group(1)) > 0, "Sluice made round trips: " + last);
        if (!m.group(2).equals("n/a")) {
            assertTrue(Long.parseLong(m.group(2)) > 0, "epoll made round trips: " + last);
        }
    }

    /** Skipped inside the program (a line saying why) without root, TAP or wrk; wrk's errors fail the program. */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void httpQuickRunEndsWithItsSummaryLine() throws Exception {
        String last = runQuick("http");
        Matcher m = Pattern.compile("bench http: sluice (\\d+) req/s, epoll (\\d+) req/s, ratio " + NUMBER)
                .matcher(last);
        assertTrue(m.matches() || last.startsWith("bench http: skipped: "), "last line: " + last);
        if (m.matches()) {
            assertPositive(m, 3);
        }
    }

    @Test
    void unknownOptionIsAUsageError() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Benchmarks.command(new String[] {"fifo", "--fast"}, System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, code);
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("unknown option '--fast'") && text.contains("usage: bin/sluice bench"), text);
    }

    @Test
    void unknownBenchmarkIsAUsageError() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Benchmarks.command(new String[] {"nope"}, System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown benchmark 'nope'"));
    }

    @Test
    void optionsAreParsedStrictly() {
        assertEquals(new BenchOptions(2, 5, BenchOptions.DEFAULT.warmupSeconds(), false),
                BenchOptions.parse(new String[] {"--seconds", "2", "--rounds", "5"}));
        assertEquals(BenchOptions.QUICK, BenchOptions.parse(new String[] {"--quick"}));
        for (List<String> bad : List.of(List.of("--seconds"), List.of("--seconds", "x"), List.of("--seconds", "0"),
                List.of("--rounds", "0"), List.of("extra"), List.of("-q"))) {
            assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse(bad.toArray(String[]::new)),
                    bad::toString);
        }
    }

    private static String runQuick(String name) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = Benchmarks.command(new String[] {name, "--quick"},
                new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        String text = out.toString(StandardCharsets.UTF_8);
        System.out.print(text);
        assertEquals(0, code, text);
        String[] lines = text.strip().split("\\R");
        return lines[lines.length - 1];
    }

    private static void assertPositive(Matcher m, int groups) {
        for (int g = 1; g <= groups; g++) {
            assertTrue(Double.parseDouble(m.group(g)) > 0, "figure " + g + " is " + m.group(g));
        }
    }
}
