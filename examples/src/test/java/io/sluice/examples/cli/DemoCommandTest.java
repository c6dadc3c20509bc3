package io.sluice.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.phy.HostLink;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code bin/sluice demo} end to end, in this JVM: with root and /dev/net/tun the kernel side (curl from the
 * namespace the demo makes) as well as the Sluice client; without, the cut-through part alone, said as such.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DemoCommandTest {

    @Test
    void theDemoServesHttpOnSluiceAndCleansUp() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int code = DemoCommand.run(new String[] {"--requests", "300"}, out, out);
        String text = bytes.toString(StandardCharsets.UTF_8);
        boolean withTap = HostLink.tapUnavailableReason() == null;

        assertTrue(text.contains("300 answers, all 200 with the greeting"), text);
        assertTrue(text.contains("$ bin/sluice ctl show interface"), text);
        assertTrue(text.contains("sluice demo: cleaned up"), text);
        if (!withTap) {
            assertEquals(0, code, text);
            assertTrue(text.contains("only cut-through"), text);
            return;
        }
        String namespace = "sluicedemo" + ProcessHandle.current().pid() % 100_000;
        assertFalse(HostLink.namespaceExists(namespace), "the demo's namespace is gone");
        if (!HostLink.onPath("curl")) {
            assertEquals(1, code, text);
            assertTrue(text.contains("curl is not installed"), text);
            return;
        }
        assertEquals(0, code, text);
        assertTrue(text.contains("GET http://198.18.22.2:8080/ -> 200 "), text);
        assertTrue(text.contains("body \"hello through the TAP\""), text);
        assertTrue(text.matches("(?s).*sdemo\\d+ +0 +up .*"), "show interface lists the demo's TAP: " + text);
    }

    @Test
    void badArgumentsAreNamed() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        assertEquals(2, DemoCommand.run(new String[] {"--requests", "0"}, err, err));
        assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("--requests takes 1 to"), bytes::toString);
        bytes.reset();
        assertEquals(2, DemoCommand.run(new String[] {"--frobnicate"}, err, err));
        assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("unknown argument '--frobnicate'"),
                bytes::toString);
    }
}
