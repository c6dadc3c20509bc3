package io.sluice.examples.cli;

import java.io.IOException;
import java.io.InputStream;
import org.openjdk.jmh.Main;

/**
 * {@code bin/sluice jmh [JMH args...]}: JMH's own command line over the benchmarks in
 * {@code io.sluice.examples.jmh}. JMH finds them through {@code META-INF/BenchmarkList}, which its annotation
 * processor writes into the examples jar; its forked JVMs reuse this JVM's {@code java} and class path, and each
 * benchmark class adds {@code --enable-native-access=ALL-UNNAMED} to them.
 */
final class JmhCommand {

    private JmhCommand() {}

    static int run(String[] args) throws Exception {
        try (InputStream list = JmhCommand.class.getClassLoader().getResourceAsStream("META-INF/BenchmarkList")) {
            if (list == null) {
                throw new IOException("META-INF/BenchmarkList is not on the class path: the examples module was"
                        + " built without JMH's annotation processor");
            }
        }
        Main.main(args); // exits the JVM itself on bad arguments or failure
        return 0;
    }
}
