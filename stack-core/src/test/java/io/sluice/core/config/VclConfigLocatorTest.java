package io.sluice.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VclConfigLocatorTest {

    @TempDir
    Path dir;

    private Optional<Path> locate(Map<String, String> properties, Map<String, String> environment, Path fallback) {
        return VclConfigLocator.locate(properties::get, environment::get, fallback);
    }

    @Test
    void environmentVariableNamesTheFile() throws Exception {
        Path file = Files.writeString(dir.resolve("vcl.conf"), "vcl {\n  rx-fifo-size 4m\n  use-mq-eventfd\n}\n");
        Optional<Path> found = locate(Map.of(), Map.of("VCL_CONFIG", file.toString()), dir.resolve("none"));
        assertEquals(Optional.of(file), found);
        VclConfig config = VclConfig.load(found.orElseThrow());
        assertEquals(4L << 20, config.rxFifoSize());
        assertEquals(true, config.useMqEventfd());
    }

    @Test
    void systemPropertyWinsOverTheEnvironment() throws Exception {
        Path a = Files.writeString(dir.resolve("a.conf"), "vcl { }");
        Path b = Files.writeString(dir.resolve("b.conf"), "vcl { }");
        assertEquals(Optional.of(a), locate(Map.of("sluice.vcl.config", a.toString()),
                Map.of("VCL_CONFIG", b.toString()), dir.resolve("none")));
        assertEquals(Optional.of(b), locate(Map.of("sluice.vcl.config", ""), Map.of("VCL_CONFIG", b.toString()),
                dir.resolve("none")));
    }

    @Test
    void missingNamedFileIsAnError() {
        Path missing = dir.resolve("vlc.conf");
        ConfigException e = assertThrows(ConfigException.class,
                () -> locate(Map.of(), Map.of("VCL_CONFIG", missing.toString()), dir.resolve("none")));
        assertEquals(missing + ": no such file (named by environment variable VCL_CONFIG)", e.getMessage());
        e = assertThrows(ConfigException.class,
                () -> locate(Map.of("sluice.vcl.config", dir.toString()), Map.of(), dir.resolve("none")));
        assertEquals(dir + ": not a regular file (named by system property sluice.vcl.config)", e.getMessage());
    }

    @Test
    void defaultPathWhenNothingIsNamed() throws Exception {
        Path fallback = dir.resolve("etc-vcl.conf");
        assertEquals(Optional.empty(), locate(Map.of(), Map.of(), fallback));
        Files.writeString(fallback, "vcl { }");
        assertEquals(Optional.of(fallback), locate(Map.of(), Map.of(), fallback));
    }

    @Test
    void errorsInTheFoundFileNameIt() throws Exception {
        Path file = Files.writeString(dir.resolve("vcl.conf"), "vcl {\n  rx-fifo-size 4m\n  heapsize 1g\n}\n");
        ConfigException e = assertThrows(ConfigException.class, () -> VclConfig.load(file));
        assertEquals(file + ":3: key 'heapsize' in section 'vcl' is not supported by Sluice: the library's memory is "
                + "the JVM's; size it with -Xmx", e.getMessage());
        assertEquals(3, e.line());
    }

    @Test
    void unreadableFiles() throws Exception {
        Path binary = Files.write(dir.resolve("bin.conf"), new byte[] {(byte) 0xff, (byte) 0xfe, 0});
        assertEquals(binary + ": not UTF-8 text",
                assertThrows(ConfigException.class, () -> VclConfig.load(binary)).getMessage());
        Path missing = dir.resolve("missing.conf");
        assertEquals(missing + ": no such file",
                assertThrows(ConfigException.class, () -> VclConfig.load(missing)).getMessage());
    }
}
