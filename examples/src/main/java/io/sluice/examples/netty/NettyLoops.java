package io.sluice.examples.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.sluice.comms.Sluice;
import io.sluice.comms.SluiceException;
import io.sluice.core.config.StackConfig;
import io.sluice.core.config.VclConfig;
import io.sluice.netty.SluiceNetty;
import io.sluice.session.attach.AttachClient;
import io.sluice.session.daemon.StackDaemon;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * What one example runs on: a transport, the Sluice application when the transport is Sluice's (attached to a running
 * stack, embedded, or given by a test), and the event loop groups made over them, all closed together.
 */
public final class NettyLoops implements AutoCloseable {

    private final NettyTransport transport;
    private final Sluice sluice;
    /** Whether {@link #close()} detaches {@link #sluice} (and stops it, when it is embedded). */
    private final boolean ownsSluice;
    private final int busyPollMicros;
    private final List<EventLoopGroup> groups = new CopyOnWriteArrayList<>();

    private NettyLoops(NettyTransport transport, Sluice sluice, boolean ownsSluice, int busyPollMicros) {
        this.transport = transport;
        this.sluice = sluice;
        this.ownsSluice = ownsSluice;
        this.busyPollMicros = busyPollMicros;
    }

    /**
     * @param transport {@link NettyTransport#EPOLL} or {@link NettyTransport#NIO}
     * @return loops over kernel sockets
     * @throws IllegalStateException when the transport cannot run here (epoll off Linux)
     */
    public static NettyLoops kernel(NettyTransport transport) {
        if (transport == NettyTransport.SLUICE) {
            throw new IllegalArgumentException("the Sluice transport needs an application: use onSluice");
        }
        String reason = transport.unavailabilityReason();
        if (reason != null) {
            throw new IllegalStateException(reason);
        }
        return new NettyLoops(transport, null, false, 0);
    }

    /**
     * @param sluice an application the caller keeps and closes
     * @param busyPollMicros how long an idle loop polls before it sleeps (0: at once)
     * @return loops whose threads become workers of {@code sluice}
     */
    public static NettyLoops onSluice(Sluice sluice, int busyPollMicros) {
        return new NettyLoops(NettyTransport.SLUICE, Objects.requireNonNull(sluice, "sluice"), false, busyPollMicros);
    }

    /**
     * What the command line asks for: kernel loops, or an application attached to the running stack through
     * {@code vcl.conf} (as {@link SluiceNetty#defaultSluice()}), or a stack embedded in this process.
     *
     * @param options the example's options
     * @param name the application's name, as the stack shows it
     * @return the loops, owning the application they made
     * @throws IllegalStateException saying what is missing and how to get it
     */
    public static NettyLoops open(ExampleOptions options, String name) {
        if (options.transport() != NettyTransport.SLUICE) {
            return kernel(options.transport());
        }
        String reason = NettyTransport.SLUICE.unavailabilityReason();
        if (reason != null) {
            throw new IllegalStateException(reason);
        }
        Sluice application;
        if (options.embedded()) {
            StackConfig config = options.config().map(StackConfig::load)
                    .orElseGet(() -> StackConfig.parse("bin/sluice stack's default", StackDaemon.DEFAULT_CONFIG));
            try {
                application = Sluice.embedded(name, servingApplications(config), VclConfig.fromEnvironment());
            } catch (SluiceException e) {
                throw new IllegalStateException(e.getMessage()
                        + " (a TAP interface needs root and /dev/net/tun; -c FILE takes another configuration)", e);
            }
        } else {
            if (!SluiceNetty.isStackReachable()) {
                throw new IllegalStateException("no Sluice stack to attach to: nothing listens at "
                        + AttachClient.socketPath(VclConfig.fromEnvironment()) + ". Start one with"
                        + " 'bin/sluice stack -c startup.conf' (its session section needs use-app-socket-api; a"
                        + " vcl.conf named by VCL_CONFIG gives another app-socket-api), or add --embedded to run a"
                        + " stack in this process");
            }
            System.setProperty(SluiceNetty.APP_NAME_PROPERTY, name);
            application = SluiceNetty.defaultSluice();
        }
        return new NettyLoops(NettyTransport.SLUICE, application, true, options.busyPollMicros());
    }

    /**
     * An embedded stack serves this process through its attach socket and needs a worker thread to run the packet
     * graph, which {@code bin/sluice stack}'s default configuration leaves to the defaults: turn both on.
     */
    static StackConfig servingApplications(StackConfig config) {
        StackConfig.Session s = config.session();
        StackConfig.Session serving = new StackConfig.Session(s.enable(), true, s.eventQueueLength(),
                s.appSocketApi(), s.appSocketMode());
        StackConfig.Cpu cpu = config.cpu();
        if (cpu.workerCount().orElse(1) < 1) {
            cpu = new StackConfig.Cpu(cpu.mainCore(), cpu.corelistWorkers(), Optional.of(1),
                    cpu.skipCores());
        }
        return new StackConfig(config.unix(), cpu, config.buffers(), serving, config.tcp(), config.taps(),
                config.namespaces(), config.warnings());
    }

    /**
     * The configuration of a stack a test or benchmark embeds: control and attach sockets in {@code dir} (so it
     * meets no other stack's), one worker, 16384 buffers, and {@code sections} added (a {@code tap}, or nothing:
     * then 127.0.0.1 is the stack's loopback and every connection is cut through).
     */
    public static StackConfig privateStack(String source, Path dir, String sections) {
        return StackConfig.parse(source, """
                unix { cli-listen %s }
                session { use-app-socket-api app-socket-api %s }
                cpu { workers 1 }
                buffers { buffers-per-numa 16384 }
                %s
                """.formatted(dir.resolve("cli.sock"), dir.resolve("app.sock"), sections));
    }

    /** @return the transport */
    public NettyTransport transport() {
        return transport;
    }

    /** @return the Sluice application, or null on a kernel transport */
    public Sluice sluice() {
        return sluice;
    }

    /**
     * @param threads event loop threads
     * @return a new group, shut down by {@link #close()}
     */
    public EventLoopGroup group(int threads) {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads,
                transport.ioHandlerFactory(sluice, busyPollMicros));
        groups.add(group);
        return group;
    }

    /** @return a server bootstrap on the transport's server channel, accepting on {@code boss} */
    public ServerBootstrap server(EventLoopGroup boss, EventLoopGroup children) {
        return new ServerBootstrap().group(boss, children).channel(transport.serverChannel());
    }

    /** @return a client bootstrap on the transport's socket channel */
    public Bootstrap client(EventLoopGroup group) {
        return new Bootstrap().group(group).channel(transport.socketChannel());
    }

    /** Shuts the groups down (their channels close) and then, if it made it, the application. */
    @Override
    public void close() {
        for (EventLoopGroup group : groups) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        }
        for (EventLoopGroup group : groups) {
            group.terminationFuture().awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
        if (ownsSluice) {
            sluice.close();
        }
    }
}
