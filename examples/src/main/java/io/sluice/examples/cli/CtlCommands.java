package io.sluice.examples.cli;

import io.sluice.core.config.Suggestions;
import io.sluice.session.control.ControlRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The words {@code bin/sluice ctl} understands and the requests they become. Keywords may be shortened to any
 * prefix that is unique where it stands ({@code sh int}, {@code sh run}); arguments follow the keywords.
 */
final class CtlCommands {

    /** Parses the words after a command's keywords. */
    @FunctionalInterface
    interface Arguments {
        ControlRequest parse(List<String> args) throws CtlUsageException;
    }

    /**
     * One command.
     *
     * @param keywords the words naming it, e.g. {@code [show, ip, arp]}
     * @param arguments its arguments as shown in help, or empty
     * @param summary what it shows or does
     * @param parser makes the request from the words after the keywords
     */
    record Command(List<String> keywords, String arguments, String summary, Arguments parser) {

        String usage() {
            return String.join(" ", keywords) + (arguments.isEmpty() ? "" : " " + arguments);
        }
    }

    /** The default number of packets {@code pcap trace} captures when {@code max} is not given. */
    static final int DEFAULT_PCAP_MAX = 10_000;
    /** The capture file {@code pcap trace} writes when {@code file} is not given. */
    static final String DEFAULT_PCAP_FILE = "/tmp/sluice.pcap";

    static final List<Command> ALL = List.of(
            plain("show interface", "interfaces with their counters", new ControlRequest.ShowInterfaces()),
            plain("show interface rx-placement", "which worker polls each receive queue",
                    new ControlRequest.ShowRxPlacement()),
            plain("show hardware", "devices: kind, MAC, MTU, queues", new ControlRequest.ShowHardware()),
            plain("show runtime", "per-worker node statistics and worker loops", new ControlRequest.ShowRuntime()),
            plain("show errors", "drop and error counters by node and reason", new ControlRequest.ShowErrors()),
            plain("show buffers", "the packet buffer pool", new ControlRequest.ShowBuffers()),
            plain("show threads", "the main thread and the workers", new ControlRequest.ShowThreads()),
            plain("show ip arp", "IPv4 neighbours", new ControlRequest.ShowIpArp()),
            plain("show ip fib", "IPv4 forwarding table", new ControlRequest.ShowIpFib()),
            plain("show app", "attached applications: workers, FIFO segments and pairs, sessions",
                    new ControlRequest.ShowApp()),
            plain("show session", "sessions: application, workers, state, addresses, FIFO fill",
                    new ControlRequest.ShowSession(false)),
            plain("show session verbose", "sessions with TCP state, FIFO sizes and segments",
                    new ControlRequest.ShowSession(true)),
            plain("show segment", "applications' shared-memory segments: size, FIFO slots in use",
                    new ControlRequest.ShowSegment()),
            plain("show mq", "applications' message queues: slots, waiting, full, wakeups",
                    new ControlRequest.ShowMq()),
            plain("show tcp stats", "TCP counters of the stack", new ControlRequest.ShowTcpStats()),
            plain("show tcp", "TCP connections: state, windows, RTT, RTO, retransmissions",
                    new ControlRequest.ShowTcp()),
            plain("clear runtime", "zero the node and worker loop statistics",
                    new ControlRequest.Clear(ControlRequest.ClearTarget.RUNTIME)),
            plain("clear errors", "zero the error counters",
                    new ControlRequest.Clear(ControlRequest.ClearTarget.ERRORS)),
            plain("clear interfaces", "zero the interface counters",
                    new ControlRequest.Clear(ControlRequest.ClearTarget.INTERFACES)),
            new Command(List.of("set", "interface", "rx-placement"), "<if> queue <n> worker <n>",
                    "move a receive queue to a worker", CtlCommands::rxPlacement),
            new Command(List.of("set", "interface", "state"), "<if> up|down", "bring an interface up or down",
                    CtlCommands::interfaceState),
            new Command(List.of("set", "interface", "rx-mode"), "<if> polling|adaptive",
                    "let the interface's workers sleep when idle (adaptive) or never (polling)", CtlCommands::rxMode),
            new Command(List.of("pcap", "trace"), "[rx] [tx] [max <n>] [file <path>]",
                    "capture packets to a pcap file (max " + DEFAULT_PCAP_MAX + ", file " + DEFAULT_PCAP_FILE
                            + " unless given)", CtlCommands::pcapTrace),
            plain("pcap trace off", "stop capturing and close the file", new ControlRequest.PcapTraceOff()));

    private CtlCommands() {}

    /**
     * @param words the command words, e.g. {@code [sh, int]}
     * @return the request they name
     * @throws CtlUsageException for unknown, ambiguous or incomplete commands and bad arguments
     */
    static ControlRequest parse(List<String> words) throws CtlUsageException {
        List<String> resolved = new ArrayList<>();
        int depth = 0;
        while (true) {
            List<Command> candidates = startingWith(resolved);
            Command exact = candidates.stream().filter(c -> c.keywords().size() == resolved.size()).findFirst()
                    .orElse(null);
            if (depth == words.size()) {
                if (exact != null) {
                    return exact.parser().parse(List.of());
                }
                throw new CtlUsageException("'" + String.join(" ", resolved) + "' is incomplete: "
                        + String.join(", ", candidates.stream().map(Command::usage).toList()));
            }
            String word = words.get(depth);
            Set<String> options = nextKeywords(candidates, resolved.size());
            List<String> matches = options.contains(word) ? List.of(word)
                    : options.stream().filter(o -> o.startsWith(word)).toList();
            if (matches.size() == 1) {
                resolved.add(matches.get(0));
                depth++;
            } else if (matches.size() > 1) {
                throw new CtlUsageException("'" + phrase(resolved, word) + "' is ambiguous: "
                        + String.join(", ", matches.stream().map(m -> phrase(resolved, m)).toList()));
            } else if (exact != null && !exact.arguments().isEmpty()) {
                return exact.parser().parse(words.subList(depth, words.size()));
            } else if (exact != null) {
                throw new CtlUsageException("'" + exact.usage() + "' takes no arguments, not '"
                        + String.join(" ", words.subList(depth, words.size())) + "'");
            } else {
                throw new CtlUsageException("unknown command '" + String.join(" ", words) + "'"
                        + suggestion(resolved, word, options));
            }
        }
    }

    /**
     * The nearest keyword by edit distance (a typo), else the one sharing the longest start of at least two
     * characters with the word (a prefix typed too long, like {@code intx}).
     */
    private static String suggestion(List<String> resolved, String word, Set<String> options) {
        String typo = Suggestions.didYouMean(phrase(resolved, word),
                options.stream().map(o -> phrase(resolved, o)).toList());
        if (!typo.isEmpty()) {
            return typo;
        }
        String best = null;
        int bestShared = 1;
        for (String option : options) {
            int shared = 0;
            while (shared < Math.min(option.length(), word.length()) && option.charAt(shared) == word.charAt(shared)) {
                shared++;
            }
            if (shared > bestShared) {
                best = option;
                bestShared = shared;
            }
        }
        return best == null ? "" : " (did you mean '" + phrase(resolved, best) + "'?)";
    }

    private static Command plain(String keywords, String summary, ControlRequest request) {
        return new Command(List.of(keywords.split(" ")), "", summary, args -> request);
    }

    private static List<Command> startingWith(List<String> resolved) {
        return ALL.stream().filter(c -> c.keywords().size() >= resolved.size()
                && c.keywords().subList(0, resolved.size()).equals(resolved)).toList();
    }

    private static Set<String> nextKeywords(List<Command> candidates, int position) {
        Set<String> next = new LinkedHashSet<>();
        for (Command c : candidates) {
            if (c.keywords().size() > position) {
                next.add(c.keywords().get(position));
            }
        }
        return next;
    }

    private static String phrase(List<String> resolved, String word) {
        return resolved.isEmpty() ? word : String.join(" ", resolved) + " " + word;
    }

    private static ControlRequest rxPlacement(List<String> args) throws CtlUsageException {
        String usage = "usage: set interface rx-placement <if> queue <n> worker <n>";
        if (args.size() != 5 || !isKeyword(args.get(1), "queue") || !isKeyword(args.get(3), "worker")) {
            throw new CtlUsageException(usage);
        }
        return new ControlRequest.SetRxPlacement(args.get(0), number(args.get(2), "queue"),
                number(args.get(4), "worker"));
    }

    private static ControlRequest interfaceState(List<String> args) throws CtlUsageException {
        if (args.size() != 2 || !(args.get(1).equals("up") || args.get(1).equals("down"))) {
            throw new CtlUsageException("usage: set interface state <if> up|down");
        }
        return new ControlRequest.SetInterfaceState(args.get(0), args.get(1).equals("up"));
    }

    private static ControlRequest rxMode(List<String> args) throws CtlUsageException {
        if (args.size() != 2 || !(args.get(1).equals("polling") || args.get(1).equals("adaptive"))) {
            throw new CtlUsageException("usage: set interface rx-mode <if> polling|adaptive");
        }
        return new ControlRequest.SetRxMode(args.get(0), args.get(1).equals("polling"));
    }

    private static ControlRequest pcapTrace(List<String> args) throws CtlUsageException {
        boolean rx = false;
        boolean tx = false;
        int max = DEFAULT_PCAP_MAX;
        String file = DEFAULT_PCAP_FILE;
        for (int i = 0; i < args.size(); i++) {
            String word = args.get(i);
            boolean hasValue = i + 1 < args.size();
            if (word.equals("rx")) {
                rx = true;
            } else if (word.equals("tx")) {
                tx = true;
            } else if (isKeyword(word, "max") && hasValue) {
                max = number(args.get(++i), "max");
                if (max == 0) {
                    throw new CtlUsageException("max must be 1 or more");
                }
            } else if (isKeyword(word, "file") && hasValue) {
                // The stack runs elsewhere: give it a path that does not depend on its working directory.
                file = Path.of(args.get(++i)).toAbsolutePath().normalize().toString();
            } else {
                throw new CtlUsageException("pcap trace: unexpected '" + word
                        + "'; usage: pcap trace [rx] [tx] [max <n>] [file <path>] | pcap trace off");
            }
        }
        if (!rx && !tx) {
            throw new CtlUsageException("pcap trace needs rx, tx or both, e.g. pcap trace rx tx max 1000 file "
                    + DEFAULT_PCAP_FILE);
        }
        return new ControlRequest.PcapTraceOn(rx, tx, max, file);
    }

    private static boolean isKeyword(String word, String keyword) {
        return !word.isEmpty() && keyword.startsWith(word);
    }

    private static int number(String text, String what) throws CtlUsageException {
        try {
            int value = Integer.parseInt(text);
            if (value >= 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new CtlUsageException(what + " must be a number 0 or more, not '" + text + "'");
    }
}
