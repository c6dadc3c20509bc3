package io.sluice.examples.bench;

import io.sluice.core.config.StackConfig;
import io.sluice.core.iface.Interface;
import io.sluice.core.iface.RxMode;
import io.sluice.core.phy.HostLink;
import io.sluice.core.stack.Stack;
import io.sluice.core.sys.CpuAffinity;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bench ping}: the round-trip time of {@code ping} from a Linux namespace to the stack through its TAP
 * interface, against the round trip between two Linux namespaces joined by a veth pair (kernel to kernel), in the
 * same run, in interleaved rounds. Each round sends {@value #PINGS_PER_ROUND} echo requests 10 ms apart and takes
 * the median of their times; the summary quotes the median of the rounds. The stack runs one worker, measured in
 * both receive modes: {@code polling} (the worker never sleeps, as VPP's workers poll) and {@code adaptive} (it
 * sleeps in epoll between pings, as an idle stack does, so that figure includes waking the worker). Needs root,
 * /dev/net/tun, iproute2 and ping; without them it says why and exits 0.
 */
public final class PingBenchmark implements Benchmark {

    static final int PINGS_PER_ROUND = 50;
    private static final Pattern TIME = Pattern.compile("time=([0-9.]+) ms");

    @Override
    public String name() {
        return "ping";
    }

    @Override
    public String summary() {
        return "ping round trip to the stack through a TAP vs kernel to kernel through a veth pair (needs root)";
    }

    @Override
    public int run(BenchOptions options, PrintStream out) throws Exception {
        String missing = missingPrerequisite();
        if (missing != null) {
            out.println("bench ping: skipped: " + missing);
            return 0;
        }
        int rounds = Math.max(1, options.rounds());
        int pings = options.seconds() < 1 ? 10 : PINGS_PER_ROUND;
        out.println("bench ping: " + rounds + " rounds of " + pings + " pings 10 ms apart per contender, median"
                + " per round; sluice-tap: one worker, rx-mode polling (never sleeps) and adaptive (sleeps when"
                + " idle); kernel-veth: two namespaces");
        String suffix = Long.toString(ProcessHandle.current().pid() % 100_000);
        String tapNs = "slpt" + suffix;
        String vethA = "slpa" + suffix;
        String vethB = "slpb" + suffix;
        List<String> namespaces = new ArrayList<>();
        Stack stack = null;
        try {
            for (String ns : List.of(tapNs, vethA, vethB)) {
                HostLink.createNamespace(ns);
                namespaces.add(ns);
            }
            stack = Stack.create(StackConfig.parse("bench ping", """
                    cpu { workers 1 }
                    tap { host-if-name slp%s host-ns %s host-ip4-addr 198.18.1.1/24 ip4-addr 198.18.1.2/24 }
                    """.formatted(suffix, tapNs)));
            stack.start();
            HostLink.run("ip", "link", "add", "slpva" + suffix, "netns", vethA, "type", "veth", "peer", "name",
                    "slpvb" + suffix, "netns", vethB);
            HostLink.run("ip", "-n", vethA, "addr", "add", "198.18.2.1/24", "dev", "slpva" + suffix);
            HostLink.run("ip", "-n", vethB, "addr", "add", "198.18.2.2/24", "dev", "slpvb" + suffix);
            HostLink.run("ip", "-n", vethA, "link", "set", "slpva" + suffix, "up");
            HostLink.run("ip", "-n", vethB, "link", "set", "slpvb" + suffix, "up");
            // Resolve neighbours and let the JIT compile the stack's paths before measuring.
            ping(tapNs, "198.18.1.2", 20);
            ping(vethA, "198.18.2.2", 3);
            Interface tapInterface = stack.interfaces().get(0);
            double[] adaptive = new double[rounds];
            double[] polling = new double[rounds];
            double[] veth = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                stack.setRxMode(tapInterface, RxMode.ADAPTIVE);
                adaptive[r] = ping(tapNs, "198.18.1.2", pings);
                stack.setRxMode(tapInterface, RxMode.POLLING);
                polling[r] = ping(tapNs, "198.18.1.2", pings);
                stack.setRxMode(tapInterface, RxMode.ADAPTIVE);
                veth[r] = ping(vethA, "198.18.2.2", pings);
                out.printf(Locale.ROOT, "  round %d  sluice-tap-polling %.3f ms  sluice-tap-adaptive %.3f ms"
                        + "  kernel-veth %.3f ms%n", r + 1, polling[r], adaptive[r], veth[r]);
            }
            double p = Rounds.median(polling);
            double a = Rounds.median(adaptive);
            double v = Rounds.median(veth);
            out.printf(Locale.ROOT, "bench ping: sluice-tap-adaptive %.3f ms (the worker sleeps between pings and"
                    + " is woken by each), ratio to kernel-veth %.2f%n", a, a / v);
            out.printf(Locale.ROOT, "targets: sluice-tap-polling/kernel-veth %.2f (target <= 2.00)%n", p / v);
            out.printf(Locale.ROOT, "bench ping: sluice-tap-polling %.3f ms, kernel-veth %.3f ms, ratio %.2f%n", p, v,
                    p / v);
            return 0;
        } finally {
            if (stack != null) {
                stack.close();
            }
            for (String ns : namespaces) {
                try {
                    HostLink.deleteNamespace(ns);
                } catch (IOException e) {
                    out.println("bench ping: " + e.getMessage());
                }
            }
        }
    }

    /**
     * Pings {@code count} times from {@code namespace}; returns the median round trip in milliseconds. With two CPUs
     * or more, ping runs on the last one and the stack's worker on the first ({@code cpu { workers 1 }} pins it
     * there), for both contenders alike, so ping's wake-up does not wait for a CPU the polling worker holds.
     */
    static double ping(String namespace, String address, int count) throws IOException {
        List<String> command = new ArrayList<>();
        int cpus = CpuAffinity.cpuCount();
        if (cpus >= 2 && HostLink.onPath("taskset")) {
            command.addAll(List.of("taskset", "-c", Integer.toString(cpus - 1)));
        }
        // -w: wait for every reply up to a deadline (with -W alone, ping stops two round trips after its last
        // request and calls slower replies lost: a cold JIT's first replies are slower than that).
        int deadlineSeconds = 5 + count / 100;
        command.addAll(List.of("ping", "-n", "-c", Integer.toString(count), "-i", "0.01", "-w",
                Integer.toString(deadlineSeconds), address));
        String output = HostLink.run(HostLink.inNamespace(namespace, command.toArray(new String[0])));
        List<Double> times = new ArrayList<>();
        Matcher m = TIME.matcher(output);
        while (m.find()) {
            times.add(Double.parseDouble(m.group(1)));
        }
        if (times.size() != count) {
            throw new IOException("ping " + address + " from " + namespace + ": " + times.size() + " of " + count
                    + " replies: " + output);
        }
        return Rounds.median(times.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static String missingPrerequisite() {
        String reason = HostLink.tapUnavailableReason();
        return reason != null ? reason : HostLink.onPath("ping") ? null : "needs ping (iputils-ping)";
    }
}
