package io.sluice.core.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * An application's configuration, from a {@code vcl.conf}. Defaults apply to keys the file does not give.
 *
 * @param rxFifoSize bytes of each session's receive FIFO ({@code rx-fifo-size})
 * @param txFifoSize bytes of each session's transmit FIFO ({@code tx-fifo-size})
 * @param segmentSize bytes of the first shared memory segment ({@code segment-size})
 * @param addSegmentSize bytes of each added segment ({@code add-segment-size})
 * @param appSocketApi the stack's attach socket ({@code app-socket-api}), empty when not given
 * @param useMqEventfd whether message queues signal with an eventfd ({@code use-mq-eventfd})
 * @param eventQueueSize slots of each worker's incoming message queue ({@code event-queue-size})
 * @param namespaceId the namespace to attach to ({@code namespace-id}), empty for the default namespace
 * @param namespaceSecret the namespace's secret ({@code namespace-secret}), unsigned
 * @param appScopeLocal local cut-through sessions allowed ({@code app-scope-local})
 * @param appScopeGlobal sessions through the routing table allowed ({@code app-scope-global})
 */
public record VclConfig(long rxFifoSize, long txFifoSize, long segmentSize, long addSegmentSize,
        Optional<Path> appSocketApi, boolean useMqEventfd, int eventQueueSize, Optional<String> namespaceId,
        long namespaceSecret, boolean appScopeLocal, boolean appScopeGlobal) {

    /** @return the configuration when there is no file: every default */
    public static VclConfig defaults() {
        return from(ConfigReader.read(new ConfigDocument("<defaults>", List.of()),
                VclConfigSchema.SCHEMA));
    }

    /**
     * Reads a {@code vcl.conf}.
     *
     * @param path the file
     * @return the configuration
     * @throws ConfigException naming the file and line of any error
     */
    public static VclConfig load(Path path) {
        return from(ConfigReader.read(path, VclConfigSchema.SCHEMA));
    }

    /**
     * Reads {@code vcl.conf} text.
     *
     * @param source the name for error messages
     * @param text the text
     * @return the configuration
     * @throws ConfigException naming the source and line of any error
     */
    public static VclConfig parse(String source, CharSequence text) {
        return from(ConfigReader.read(source, text, VclConfigSchema.SCHEMA));
    }

    /**
     * Finds the file as {@link VclConfigLocator#locate()} does and reads it, or returns the defaults when no
     * file is named and the default path does not exist.
     *
     * @return the configuration
     * @throws ConfigException if a named file does not exist or any file is invalid
     */
    public static VclConfig fromEnvironment() {
        return VclConfigLocator.locate().map(VclConfig::load).orElseGet(VclConfig::defaults);
    }

    /**
     * Builds the record from values read against {@link VclConfigSchema#SCHEMA}.
     *
     * @param values the values
     * @return the configuration
     */
    public static VclConfig from(ConfigValues values) {
        SectionValues vcl = values.section(VclConfigSchema.VCL);
        return new VclConfig(
                vcl.get(VclConfigSchema.RX_FIFO_SIZE),
                vcl.get(VclConfigSchema.TX_FIFO_SIZE),
                vcl.get(VclConfigSchema.SEGMENT_SIZE),
                vcl.get(VclConfigSchema.ADD_SEGMENT_SIZE),
                vcl.find(VclConfigSchema.APP_SOCKET_API),
                vcl.get(VclConfigSchema.USE_MQ_EVENTFD),
                vcl.get(VclConfigSchema.EVENT_QUEUE_SIZE),
                vcl.find(VclConfigSchema.NAMESPACE_ID),
                vcl.get(VclConfigSchema.NAMESPACE_SECRET),
                vcl.get(VclConfigSchema.APP_SCOPE_LOCAL),
                vcl.get(VclConfigSchema.APP_SCOPE_GLOBAL));
    }
}
