package io.sluice.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StackConfigTest {

    private static String error(String text) {
        return assertThrows(ConfigException.class, () -> StackConfig.parse("startup.conf", text)).getMessage();
    }

    @Test
    void everySection() {
        StackConfig config = StackConfig.parse("s", """
                unix { nodaemon cli-listen 127.0.0.1:5002 log /var/log/sluice.log full-coredump gid 1000 }
                cpu { main-core 0 corelist-workers 2-3,18-19 skip-cores 1 }
                buffers { buffers-per-numa 32768 default-data-size 9000 }
                session { enable use-app-socket-api event-queue-length 4096 app-socket-api /run/sluice/app.sock }
                tcp { cc-algo newreno max-connections 2048 syn-queue 64 }
                tap {
                  host-if-name sluice0
                  host-ns sluice-test
                  host-ip4-addr 198.18.0.1/24
                  ip4-addr 198.18.0.2/24
                  hw-addr 02:FE:00:00:00:02
                  host-mtu-size 9000
                  num-rx-queues 4
                  rx-mode polling
                }
                tap { host-if-name sluice1 ip4-addr 198.19.0.2/24 }
                """);
        assertEquals(new StackConfig.Unix(true, false, Optional.of("127.0.0.1:5002"),
                Optional.of(Path.of("/var/log/sluice.log")), true, Optional.of("1000")), config.unix());
        assertEquals(List.of(2, 3, 18, 19), config.cpu().corelistWorkers().orElseThrow().cpus());
        assertEquals(Optional.of(4), config.cpu().workerCount());
        assertEquals(1, config.cpu().skipCores());
        assertEquals(new StackConfig.Buffers(32768, 9000), config.buffers());
        assertEquals(new StackConfig.Session(true, true, 4096, Optional.of(Path.of("/run/sluice/app.sock")), 0600),
                config.session());
        assertEquals(0660, StackConfig.parse("s", "session { app-socket-mode 660 }").session().appSocketMode());
        assertEquals("newreno", config.tcp().ccAlgo());
        assertEquals(2048, config.tcp().maxConnections());
        assertEquals(64, config.tcp().synQueue());
        assertEquals(2, config.taps().size());
        assertEquals(new StackConfig.Tap(6, "sluice0", Optional.of("sluice-test"), Optional.of("198.18.0.1/24"),
                Optional.empty(), "198.18.0.2/24", Optional.of("02:fe:00:00:00:02"), 9000, 4, "polling"),
                config.taps().get(0));
        assertEquals(new StackConfig.Tap(16, "sluice1", Optional.empty(), Optional.empty(), Optional.empty(),
                "198.19.0.2/24", Optional.empty(), 1500, 1, "adaptive"), config.taps().get(1));
    }

    @Test
    void defaultsForAnEmptyFile() {
        StackConfig config = StackConfig.parse("s", "");
        assertEquals(new StackConfig.Cpu(Optional.empty(), Optional.empty(), Optional.empty(), 0), config.cpu());
        assertEquals(Optional.empty(), config.cpu().workerCount(), "absent: the engine's default");
        assertEquals(new StackConfig.Buffers(16384, 2048), config.buffers());
        assertEquals(16384, config.session().eventQueueLength());
        assertEquals(Optional.empty(), config.session().appSocketApi());
        assertEquals(0600, config.session().appSocketMode(), "only the owner may attach unless configured");
        assertEquals(List.of(), config.taps());
    }

    @Test
    void explicitZeroWorkersIsKeptApartFromAbsent() {
        StackConfig config = StackConfig.parse("s", "cpu { workers 0 }");
        assertEquals(Optional.of(0), config.cpu().workers());
        assertEquals(Optional.of(0), config.cpu().workerCount());
    }

    @Test
    void workersAndCorelistExcludeEachOther() {
        assertEquals("startup.conf:3: give either 'workers' or 'corelist-workers' in section 'cpu', not both",
                error("cpu {\n corelist-workers 2-3\n workers 2\n}"));
    }

    @Test
    void mainCoreNotAmongWorkers() {
        assertEquals("startup.conf:1: corelist-workers 1-3 includes the main core 2",
                error("cpu { main-core 2 corelist-workers 1-3 }"));
    }

    @Test
    void cpuListErrorsNameTheLine() {
        assertEquals("startup.conf:2: bad value '3-1' for 'corelist-workers' in section 'cpu': range '3-1' goes down "
                + "(expected a CPU list such as 2-4,6 (CPUs 0 to 4095))", error("cpu {\n corelist-workers 3-1\n}"));
        assertEquals("startup.conf:1: bad value 'a-b' for 'corelist-workers' in section 'cpu': 'a' is not a CPU "
                + "number (in 'a-b') (expected a CPU list such as 2-4,6 (CPUs 0 to 4095))",
                error("cpu { corelist-workers a-b }"));
    }

    @Test
    void tcpLimitErrorsNameTheLine() {
        String message = error("tcp {\n cc-algo cubic\n max-connections 0\n}");
        assertTrue(message.startsWith("startup.conf:3: bad value '0' for 'max-connections' in section 'tcp'"),
                message);
        message = error("tcp { syn-queue lots }");
        assertTrue(message.startsWith("startup.conf:1: bad value 'lots' for 'syn-queue' in section 'tcp'"), message);
    }

    @Test
    void attachSocketErrorsNameTheLine() {
        String tooLong = "/run/" + "x".repeat(103);
        assertEquals("startup.conf:3: bad value '" + tooLong + "' for 'app-socket-api' in section 'session': 108 bytes "
                + "long, more than the 107 a Unix socket address holds (expected a Unix socket path of at most 107 "
                + "bytes)", error("session {\n enable\n app-socket-api " + tooLong + "\n}"));
        assertEquals("startup.conf:2: bad value '0800' for 'app-socket-mode' in section 'session': not an octal mode "
                + "of at most 0777 (expected an octal file mode from 0 to 0777, such as 0600)",
                error("session {\n app-socket-mode 0800\n}"));
    }

    @Test
    void tapNamesAreUnique() {
        assertEquals("startup.conf:2: host-if-name 'sluice0' already used by the tap section at line 1",
                error("tap { host-if-name sluice0 ip4-addr 10.0.0.1/24 }\n"
                        + "tap { host-if-name sluice0 ip4-addr 10.0.1.1/24 }"));
    }

    @Test
    void applicationNamespacesAreReadAndTheirErrorsNameTheLine() {
        StackConfig config = StackConfig.parse("startup.conf", "app-namespace { id tenant-a secret 42 }\n"
                + "app-namespace {\n id tenant-b\n secret 18446744073709551615\n}\n");
        assertEquals(List.of(new StackConfig.AppNamespace(1, "tenant-a", 42),
                new StackConfig.AppNamespace(2, "tenant-b", -1L)), config.namespaces());
        assertEquals("startup.conf:2: app-namespace 'a' already defined by the section at line 1",
                error("app-namespace { id a secret 1 }\napp-namespace { id a secret 2 }"));
        assertTrue(error("app-namespace { id a }").startsWith("startup.conf:1: "), error("app-namespace { id a }"));
        assertTrue(error("app-namespace { id a }").contains("secret"), error("app-namespace { id a }"));
        assertEquals("startup.conf:1: the default namespace needs no section and has no secret",
                error("app-namespace { id default secret 3 }"));
    }

    @Test
    void addressesAreChecked() {
        assertEquals("startup.conf:1: bad value '10.0.0.256/24' for 'ip4-addr' in section 'tap': address byte 256 "
                + "is out of range 0 to 255 (expected an IPv4 address with prefix length such as 198.18.0.1/24)",
                error("tap { host-if-name t ip4-addr 10.0.0.256/24 }"));
        assertEquals("startup.conf:1: bad value '02:fe:00:00:00' for 'hw-addr' in section 'tap': not six "
                + "colon-separated bytes (expected an Ethernet address such as 02:fe:00:00:00:01)",
                error("tap { host-if-name t ip4-addr 10.0.0.1/24 hw-addr 02:fe:00:00:00 }"));
        assertEquals("startup.conf:1: bad value 'much-too-long-name' for 'host-if-name' in section 'tap': must be 1 "
                + "to 15 characters (expected an interface name of 1 to 15 characters without '/' or ':')",
                error("tap { host-if-name much-too-long-name ip4-addr 10.0.0.1/24 }"));
        assertEquals("startup.conf:1: bad value 'a/b' for 'host-ns' in section 'tap': must be 1 to 64 letters, "
                + "digits, '.', '_' or '-' (expected a namespace name of 1 to 64 letters, digits, '.', '_' or '-')",
                error("tap { host-if-name t host-ns a/b ip4-addr 10.0.0.1/24 }"));
    }
}
