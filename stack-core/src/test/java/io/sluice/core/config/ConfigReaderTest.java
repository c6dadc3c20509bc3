package io.sluice.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading documents against schemas: every error kind, with its exact message and line. */
class ConfigReaderTest {

    private static String vclError(String text) {
        return assertThrows(ConfigException.class, () -> VclConfig.parse("vcl.conf", text)).getMessage();
    }

    private static String stackError(String text) {
        return assertThrows(ConfigException.class, () -> StackConfig.parse("startup.conf", text)).getMessage();
    }

    @Test
    void unknownKeySuggestsTheClosest() {
        assertEquals("vcl.conf:3: unknown key 'rx-fifo-sise' in section 'vcl' (did you mean 'rx-fifo-size'?)",
                vclError("vcl {\n  tx-fifo-size 4000\n  rx-fifo-sise 4000\n}\n"));
        assertEquals("startup.conf:1: unknown key 'nodeamon' in section 'unix' (did you mean 'nodaemon'?)",
                stackError("unix { nodeamon }"));
    }

    @Test
    void unknownKeyWithoutNearNameListsTheKeys() {
        assertEquals("startup.conf:2: unknown key 'frobnicate' in section 'tcp' (known keys: cc-algo, max-connections, "
                + "syn-queue)",
                stackError("tcp {\n frobnicate\n}"));
    }

    @Test
    void unsupportedVppKeyGivesTheReason() {
        assertEquals("vcl.conf:2: key 'api-socket-name' in section 'vcl' is not supported by Sluice: Sluice has no "
                + "binary API; applications attach through app-socket-api",
                vclError("vcl {\n api-socket-name /run/vpp/api.sock\n}"));
        assertEquals("vcl.conf:1: key 'app-proxy-transport-tcp' in section 'vcl' is not supported by Sluice: proxy "
                + "applications are not supported", vclError("vcl { app-proxy-transport-tcp }"));
    }

    @Test
    void badSize() {
        assertEquals("vcl.conf:2: bad value '4x' for 'rx-fifo-size' in section 'vcl': not a number (sizes take the "
                + "suffixes k, m, g) (expected a size in bytes from 64 to 1g (a number, optionally with k, m or g))",
                vclError("vcl {\n rx-fifo-size 4x\n}"));
    }

    @Test
    void valueOutOfRange() {
        assertEquals("vcl.conf:1: bad value '2g' for 'rx-fifo-size' in section 'vcl': 2147483648 is out of range "
                + "64 to 1g (expected a size in bytes from 64 to 1g (a number, optionally with k, m or g))",
                vclError("vcl { rx-fifo-size 2g }"));
        assertEquals("startup.conf:3: bad value '4096' for 'main-core' in section 'cpu': 4096 is out of range 0 to "
                + "4095 (expected an integer from 0 to 4095)", stackError("cpu {\n\n main-core 4096 }"));
        assertEquals("startup.conf:1: bad value 'reno' for 'cc-algo' in section 'tcp': not one of cubic, newreno "
                + "(expected one of cubic, newreno)", stackError("tcp { cc-algo reno }"));
    }

    @Test
    void duplicateKey() {
        assertEquals("vcl.conf:4: key 'segment-size' given twice in section 'vcl' (first at line 2)",
                vclError("vcl {\n segment-size 1g\n use-mq-eventfd\n segment-size 2g\n}"));
        assertEquals("startup.conf:1: key 'nodaemon' given twice in section 'unix' (first at line 1)",
                stackError("unix { nodaemon nodaemon }"));
    }

    @Test
    void duplicateSection() {
        assertEquals("startup.conf:3: section 'unix' given twice (first at line 1)",
                stackError("unix { nodaemon }\n\nunix { interactive }"));
    }

    @Test
    void unknownSection() {
        assertEquals("vcl.conf:2: unknown section 'vlc' (did you mean 'vcl'?)", vclError("\nvlc { }"));
        assertEquals("startup.conf:1: unknown section 'nat' (startup.conf takes unix, cpu, buffers, session, tcp, "
                + "tap, app-namespace)", stackError("nat { endpoint-dependent }"));
        assertEquals("vcl.conf:1: unknown section 'unix' (vcl.conf takes vcl)", vclError("unix { nodaemon }"));
    }

    @Test
    void missingValue() {
        assertEquals("startup.conf:2: missing value for 'cli-listen' in section 'unix' (expected a Unix socket path "
                + "or host:port of at most 4096 characters on the same line)",
                stackError("unix {\n cli-listen\n gid vpp\n}"));
        assertEquals("vcl.conf:1: missing value for 'event-queue-size' in section 'vcl' (expected an integer from 16 "
                + "to 16777216 on the same line)", vclError("vcl { event-queue-size }"));
        assertEquals("vcl.conf:1: missing value for 'namespace-id' in section 'vcl' (expected a namespace name of "
                + "at most 64 characters on the same line)", vclError("vcl { namespace-id { x } }"));
    }

    @Test
    void blockAfterAKeyThatTakesNone() {
        assertEquals("startup.conf:1: unexpected block after 'nodaemon' in section 'unix': no key of this section "
                + "takes a block", stackError("unix { nodaemon { x } }"));
        assertEquals("startup.conf:2: unexpected block after 'gid' in section 'unix': no key of this section takes "
                + "a block", stackError("unix { gid vpp\n { x } }"));
    }

    @Test
    void requiredKey() {
        assertEquals("startup.conf:2: section 'tap' needs 'ip4-addr' (an IPv4 address with prefix length such as "
                + "198.18.0.1/24)", stackError("\ntap { host-if-name sluice0 }"));
    }

    @Test
    void ignoredSectionIsParsedAndWarned() {
        StackConfig config = StackConfig.parse("s", "plugins { plugin default { disable } }\nunix { nodaemon }");
        assertEquals(List.of("s:1: section 'plugins' ignored: Sluice has no plugins; everything it supports is "
                + "built in"), config.warnings());
        assertTrue(config.unix().nodaemon());
        assertEquals("startup.conf:1: '{' of section 'dpdk' is never closed (end of file reached)",
                stackError("dpdk { dev x { } "));
    }

    @Test
    void defaultsWhenAbsent() {
        VclConfig config = VclConfig.parse("vcl.conf", "# nothing\n");
        assertEquals(VclConfig.defaults(), config);
        assertEquals(1L << 20, config.rxFifoSize());
        assertEquals(256L << 20, config.segmentSize());
        assertEquals(2048, config.eventQueueSize());
        assertFalse(config.useMqEventfd());
    }

    @Test
    void sectionValuesRememberLines() {
        ConfigValues values = ConfigReader.read("v", "vcl {\n rx-fifo-size 1m\n}", VclConfigSchema.SCHEMA);
        SectionValues vcl = values.section(VclConfigSchema.VCL);
        assertTrue(vcl.present());
        assertEquals(1, vcl.line());
        assertEquals(2, vcl.line(VclConfigSchema.RX_FIFO_SIZE));
        assertTrue(vcl.isSet(VclConfigSchema.RX_FIFO_SIZE));
        assertFalse(vcl.isSet(VclConfigSchema.TX_FIFO_SIZE));
        assertEquals(1L << 20, vcl.get(VclConfigSchema.RX_FIFO_SIZE));
        assertThrows(IllegalArgumentException.class, () -> vcl.get(StackConfigSchema.NODAEMON));
        assertThrows(IllegalArgumentException.class, () -> values.section(StackConfigSchema.UNIX));
    }

    @Test
    void hexValuesAsVclAccepts() {
        VclConfig config = VclConfig.parse("v", "vcl { rx-fifo-size 0x10000 event-queue-size 0x400 "
                + "namespace-secret 0xffffffffffffffff namespace-id ns1 }");
        assertEquals(65536, config.rxFifoSize());
        assertEquals(1024, config.eventQueueSize());
        assertEquals(-1L, config.namespaceSecret());
        assertEquals("ns1", config.namespaceId().orElseThrow());
    }
}
