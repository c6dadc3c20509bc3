package io.sluice.core.config;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Seeded random inputs: the parser and reader either succeed or throw {@link ConfigException} with a
 * {@code source:line:} message whose line lies in the input; never anything else.
 */
class ConfigFuzzTest {

    private static final String[] TOKENS = {
        "{", "}", " ", "\n", "\t", "#", "\"", "\\", "vcl", "unix", "cpu", "tap", "dpdk", "rx-fifo-size", "4m",
        "nodaemon", "cli-listen", "corelist-workers", "2-4,6", "3-1", "main-core", "1", "workers", "0x10",
        "host-if-name", "ip4-addr", "198.18.0.1/24", "gid", "99999999999999999999", "use-mq-eventfd", "\r\n",
        "\u0000", "\u00e9", "session", "event-queue-length", "buffers", "buffers-per-numa", "-", ",", "/",
    };

    @Test
    void randomInputsOnlyEverThrowConfigException() {
        SplittableRandom random = new SplittableRandom(0x5111CEL);
        int accepted = 0;
        for (int i = 0; i < 20_000; i++) {
            String text = random.nextBoolean() ? tokens(random) : characters(random);
            long lines = text.chars().filter(c -> c == '\n').count() + 1;
            try {
                if (random.nextBoolean()) {
                    StackConfig.parse("f", text);
                } else {
                    VclConfig.parse("f", text);
                }
                accepted++;
            } catch (ConfigException e) {
                assertTrue(e.getMessage().startsWith("f:"), e.getMessage());
                assertTrue(e.line() >= 1 && e.line() <= lines, () -> "line " + e.line() + " for " + text);
            } catch (RuntimeException | StackOverflowError e) {
                fail("input " + i + " " + escape(text) + " threw " + e, e);
            }
        }
        assertTrue(accepted > 0, "some inputs are valid");
    }

    private static String tokens(SplittableRandom random) {
        StringBuilder sb = new StringBuilder();
        int n = random.nextInt(40);
        for (int i = 0; i < n; i++) {
            sb.append(TOKENS[random.nextInt(TOKENS.length)]);
            if (random.nextInt(3) != 0) {
                sb.append(' ');
            }
        }
        return sb.toString();
    }

    private static String characters(SplittableRandom random) {
        StringBuilder sb = new StringBuilder();
        int n = random.nextInt(60);
        for (int i = 0; i < n; i++) {
            int kind = random.nextInt(10);
            sb.append(kind == 0 ? (char) random.nextInt(0x10000) : kind < 3 ? "{} \n\"#".charAt(random.nextInt(6))
                    : (char) (0x20 + random.nextInt(0x5f)));
        }
        return sb.toString();
    }

    private static String escape(String text) {
        StringBuilder sb = new StringBuilder();
        text.chars().forEach(c -> sb.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c)
                : String.format("\\u%04x", c)));
        return sb.toString();
    }
}
