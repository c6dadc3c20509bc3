package io.sluice.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The configuration examples of the reference documents: Envoy's VCL page ({@code startup.conf} and
 * {@code vcl.conf}) and the VPP threading article ({@code cpu} stanza).
 *
 * <p>The Envoy page as stored lost its closing braces and the lines holding only a flag (the comments announcing
 * {@code nodaemon}, {@code use-app-socket-api}, {@code app-scope-global}, {@code app-scope-local},
 * {@code use-mq-eventfd} are followed by nothing). The {@code *-as-published.conf} resources are the stored text
 * exactly; the other two restore the braces and the flags the comments name.
 */
class ReferenceExamplesTest {

    @Test
    void envoyStartupConf() {
        StackConfig config = StackConfig.parse("startup.conf", Resources.text("envoy-startup.conf"));
        assertTrue(config.unix().nodaemon());
        assertTrue(config.unix().interactive());
        assertEquals(Optional.of("/run/vpp/cli.sock"), config.unix().cliListen());
        assertEquals(Optional.of("vpp"), config.unix().gid());
        assertFalse(config.unix().fullCoredump());
        assertEquals(0, config.cpu().skipCores());
        assertEquals(Optional.of(1), config.cpu().mainCore());
        assertEquals(List.of(2), config.cpu().corelistWorkers().orElseThrow().cpus());
        assertEquals(Optional.of(1), config.cpu().workerCount());
        assertEquals(16384, config.buffers().buffersPerNuma());
        assertEquals(2048, config.buffers().defaultDataSize());
        assertTrue(config.session().useAppSocketApi());
        assertEquals(100000, config.session().eventQueueLength());
        assertEquals("cubic", config.tcp().ccAlgo());
        assertEquals(List.of(), config.taps());
        assertEquals(List.of("startup.conf:30: section 'dpdk' ignored: Sluice has no DPDK driver; its interfaces "
                + "are TAP devices declared in 'tap' sections"), config.warnings());
    }

    @Test
    void envoyVclConf() {
        VclConfig config = VclConfig.parse("vcl.conf", Resources.text("envoy-vcl.conf"));
        assertEquals(400000, config.rxFifoSize());
        assertEquals(400000, config.txFifoSize());
        assertEquals(1000000000L, config.segmentSize());
        assertEquals(128L << 20, config.addSegmentSize());
        assertTrue(config.appScopeGlobal());
        assertTrue(config.appScopeLocal());
        assertEquals(Optional.of(Path.of("/var/run/vpp/app_ns_sockets/default")), config.appSocketApi());
        assertTrue(config.useMqEventfd());
        assertEquals(40000, config.eventQueueSize());
        assertEquals(Optional.empty(), config.namespaceId());
        assertEquals(0, config.namespaceSecret());
    }

    @Test
    void envoyStartupConfAsPublishedReportsTheFirstUnclosedBrace() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> StackConfig.parse("startup.conf", Resources.text("envoy-startup-as-published.conf")));
        assertEquals("startup.conf:1: '{' of section 'unix' is never closed (end of file reached with 6 blocks "
                + "open)", e.getMessage());
        assertEquals(1, e.line());
    }

    @Test
    void envoyVclConfAsPublishedReportsTheUnclosedBrace() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> VclConfig.parse("vcl.conf", Resources.text("envoy-vcl-as-published.conf")));
        assertEquals("vcl.conf:1: '{' of section 'vcl' is never closed (end of file reached)", e.getMessage());
    }

    @Test
    void envoyVclConfAsPublishedWithItsClosingBraceParses() {
        VclConfig config = VclConfig.parse("vcl.conf", Resources.text("envoy-vcl-as-published.conf") + "\n}\n");
        assertEquals(400000, config.rxFifoSize());
        assertEquals(40000, config.eventQueueSize());
        assertFalse(config.useMqEventfd());
    }

    @Test
    void blogCpuStanza() {
        StackConfig config = StackConfig.parse("startup.conf", Resources.text("blog-cpu.conf"));
        assertEquals(Optional.of(0), config.cpu().mainCore());
        assertEquals(Optional.of(2), config.cpu().workers());
        assertEquals(Optional.of(2), config.cpu().workerCount());
        assertEquals(Optional.empty(), config.cpu().corelistWorkers());
    }

    @Test
    void loadFromFileNamesThePath(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("startup.conf");
        Files.writeString(file, Resources.text("envoy-startup.conf").replace("main-core 1",
                "main-core x"));
        ConfigException e = assertThrows(ConfigException.class, () -> StackConfig.load(file));
        assertEquals(file + ":16: bad value 'x' for 'main-core' in section 'cpu': not a number "
                + "(expected an integer from 0 to 4095)", e.getMessage());
        assertEquals(file.toString(), e.source());
    }
}
