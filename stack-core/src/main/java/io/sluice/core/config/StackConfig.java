package io.sluice.core.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The stack's configuration, from a {@code startup.conf} read against {@link StackConfigSchema#SCHEMA}. Defaults
 * apply to absent sections and keys. Checks that involve several keys are made here and name the line too:
 * {@code workers} together with {@code corelist-workers}, the main core among the worker cores, two {@code tap}
 * sections with one {@code host-if-name}.
 *
 * @param unix the {@code unix} section
 * @param cpu the {@code cpu} section
 * @param buffers the {@code buffers} section
 * @param session the {@code session} section
 * @param tcp the {@code tcp} section
 * @param taps the {@code tap} sections, in file order
 * @param namespaces the {@code app-namespace} sections, in file order
 * @param warnings one line per ignored section
 */
public record StackConfig(Unix unix, Cpu cpu, Buffers buffers, Session session, Tcp tcp, List<Tap> taps,
        List<AppNamespace> namespaces, List<String> warnings) {

    /** Copies the lists. */
    public StackConfig {
        taps = List.copyOf(taps);
        namespaces = List.copyOf(namespaces);
        warnings = List.copyOf(warnings);
    }

    /**
     * The {@code unix} section.
     *
     * @param nodaemon stay in the foreground
     * @param interactive CLI on the terminal
     * @param cliListen where the CLI listens, if anywhere
     * @param log the log file, if any
     * @param fullCoredump include all mappings in core dumps
     * @param gid the group owning sockets, if given
     */
    public record Unix(boolean nodaemon, boolean interactive, Optional<String> cliListen, Optional<Path> log,
            boolean fullCoredump, Optional<String> gid) {
    }

    /**
     * The {@code cpu} section.
     *
     * @param mainCore the main thread's CPU, if pinned
     * @param corelistWorkers the workers' CPUs, if listed
     * @param workers the number of workers when not listed, if given (0: the main thread runs the packet graph)
     * @param skipCores low CPUs left alone
     */
    public record Cpu(Optional<Integer> mainCore, Optional<CpuList> corelistWorkers, Optional<Integer> workers,
            int skipCores) {

        /**
         * @return the number of worker threads when the file says it: the list's size when given, else
         *     {@code workers}; empty when neither is given (the engine's default, one per CPU but one)
         */
        public Optional<Integer> workerCount() {
            return corelistWorkers.map(CpuList::size).or(() -> workers);
        }
    }

    /**
     * The {@code buffers} section.
     *
     * @param buffersPerNuma packet buffers in the pool
     * @param defaultDataSize bytes of data per buffer
     */
    public record Buffers(int buffersPerNuma, int defaultDataSize) {
    }

    /**
     * The {@code session} section.
     *
     * @param enable given ({@code enable}); the session layer runs either way
     * @param useAppSocketApi accept applications on the Unix socket
     * @param eventQueueLength slots of each worker's message queue
     * @param appSocketApi the attach socket's path ({@code app-socket-api}), if given
     * @param appSocketMode the attach socket file's permission bits ({@code app-socket-mode}, default 0600)
     */
    public record Session(boolean enable, boolean useAppSocketApi, int eventQueueLength, Optional<Path> appSocketApi,
            int appSocketMode) {
    }

    /**
     * The {@code tcp} section.
     *
     * @param ccAlgo congestion control, {@code cubic} or {@code newreno}
     * @param maxConnections connections per worker at most
     * @param synQueue connections in SYN-RECEIVED per listener before SYN cookies
     */
    public record Tcp(String ccAlgo, int maxConnections, int synQueue) {
    }

    /**
     * A {@code tap} section.
     *
     * @param line the section's line, for later errors about the interface
     * @param hostIfName Linux interface name
     * @param hostNs the namespace the Linux side goes into, if given
     * @param hostIp4Addr Linux side address/prefix, if given
     * @param hostMacAddr Linux side Ethernet address, if given
     * @param ip4Addr the stack's address/prefix
     * @param hwAddr the stack's Ethernet address, if given
     * @param hostMtuSize MTU
     * @param numRxQueues queues
     * @param rxMode {@code adaptive} or {@code polling}
     */
    public record Tap(int line, String hostIfName, Optional<String> hostNs, Optional<String> hostIp4Addr,
            Optional<String> hostMacAddr, String ip4Addr, Optional<String> hwAddr, int hostMtuSize, int numRxQueues,
            String rxMode) {
    }

    /**
     * An {@code app-namespace} section.
     *
     * @param line where the section starts
     * @param id the namespace's name
     * @param secret what an application must give to attach to it
     */
    public record AppNamespace(int line, String id, long secret) {
    }

    /**
     * Reads a {@code startup.conf}.
     *
     * @param path the file
     * @return the configuration
     * @throws ConfigException naming the file and line of any error
     */
    public static StackConfig load(Path path) {
        return from(ConfigReader.read(path, StackConfigSchema.SCHEMA));
    }

    /**
     * Reads {@code startup.conf} text.
     *
     * @param source the name for error messages
     * @param text the text
     * @return the configuration
     * @throws ConfigException naming the source and line of any error
     */
    public static StackConfig parse(String source, CharSequence text) {
        return from(ConfigReader.read(source, text, StackConfigSchema.SCHEMA));
    }

    /**
     * Builds the record from values read against {@link StackConfigSchema#SCHEMA}, with the checks that span
     * keys.
     *
     * @param values the values
     * @return the configuration
     * @throws ConfigException if keys contradict each other
     */
    public static StackConfig from(ConfigValues values) {
        SectionValues u = values.section(StackConfigSchema.UNIX);
        Unix unix = new Unix(u.get(StackConfigSchema.NODAEMON), u.get(StackConfigSchema.INTERACTIVE),
                u.find(StackConfigSchema.CLI_LISTEN), u.find(StackConfigSchema.LOG),
                u.get(StackConfigSchema.FULL_COREDUMP), u.find(StackConfigSchema.GID));

        SectionValues c = values.section(StackConfigSchema.CPU);
        if (c.isSet(StackConfigSchema.WORKERS) && c.isSet(StackConfigSchema.CORELIST_WORKERS)) {
            ConfigKey<?> later = c.line(StackConfigSchema.WORKERS) > c.line(StackConfigSchema.CORELIST_WORKERS)
                    ? StackConfigSchema.WORKERS : StackConfigSchema.CORELIST_WORKERS;
            throw c.error(later, "give either 'workers' or 'corelist-workers' in section 'cpu', not both");
        }
        Optional<Integer> mainCore = c.find(StackConfigSchema.MAIN_CORE);
        Optional<CpuList> corelist = c.find(StackConfigSchema.CORELIST_WORKERS);
        if (mainCore.isPresent() && corelist.isPresent() && corelist.get().contains(mainCore.get())) {
            throw c.error(StackConfigSchema.CORELIST_WORKERS, "corelist-workers " + corelist.get()
                    + " includes the main core " + mainCore.get());
        }
        Cpu cpu = new Cpu(mainCore, corelist, c.find(StackConfigSchema.WORKERS), c.get(StackConfigSchema.SKIP_CORES));

        SectionValues b = values.section(StackConfigSchema.BUFFERS);
        Buffers buffers = new Buffers(b.get(StackConfigSchema.BUFFERS_PER_NUMA),
                b.get(StackConfigSchema.DEFAULT_DATA_SIZE));

        SectionValues s = values.section(StackConfigSchema.SESSION);
        Session session = new Session(s.get(StackConfigSchema.ENABLE), s.get(StackConfigSchema.USE_APP_SOCKET_API),
                s.get(StackConfigSchema.EVENT_QUEUE_LENGTH), s.find(StackConfigSchema.APP_SOCKET_API),
                s.get(StackConfigSchema.APP_SOCKET_MODE));

        SectionValues t0 = values.section(StackConfigSchema.TCP);
        Tcp tcp = new Tcp(t0.get(StackConfigSchema.CC_ALGO), t0.get(StackConfigSchema.MAX_CONNECTIONS),
                t0.get(StackConfigSchema.SYN_QUEUE));

        List<Tap> taps = new ArrayList<>();
        Map<String, Integer> names = new HashMap<>();
        for (SectionValues t : values.sections(StackConfigSchema.TAP)) {
            String name = t.get(StackConfigSchema.HOST_IF_NAME);
            Integer first = names.putIfAbsent(name, t.line());
            if (first != null) {
                throw t.error(StackConfigSchema.HOST_IF_NAME, "host-if-name '" + name
                        + "' already used by the tap section at line " + first);
            }
            taps.add(new Tap(t.line(), name, t.find(StackConfigSchema.HOST_NS),
                    t.find(StackConfigSchema.HOST_IP4_ADDR),
                    t.find(StackConfigSchema.HOST_MAC_ADDR), t.get(StackConfigSchema.IP4_ADDR),
                    t.find(StackConfigSchema.HW_ADDR), t.get(StackConfigSchema.HOST_MTU_SIZE),
                    t.get(StackConfigSchema.NUM_RX_QUEUES), t.get(StackConfigSchema.RX_MODE)));
        }
        List<AppNamespace> namespaces = new ArrayList<>();
        Map<String, Integer> namespaceLines = new HashMap<>();
        for (SectionValues n : values.sections(StackConfigSchema.APP_NAMESPACE)) {
            String id = n.get(StackConfigSchema.NAMESPACE_ID);
            Integer first = namespaceLines.putIfAbsent(id, n.line());
            if (first != null) {
                throw n.error(StackConfigSchema.NAMESPACE_ID, "app-namespace '" + id
                        + "' already defined by the section at line " + first);
            }
            if (id.equals("default") || id.isEmpty()) {
                throw n.error(StackConfigSchema.NAMESPACE_ID, "the default namespace needs no section and has no"
                        + " secret");
            }
            namespaces.add(new AppNamespace(n.line(), id, n.get(StackConfigSchema.NAMESPACE_SECRET)));
        }
        return new StackConfig(unix, cpu, buffers, session, tcp, taps, namespaces, values.warnings());
    }
}
