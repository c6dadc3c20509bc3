package io.sluice.examples.cli;

import io.sluice.session.control.ControlClient;
import io.sluice.session.control.ControlReply;
import io.sluice.session.control.ControlRequest;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * {@code bin/sluice ctl [-s SOCKET] [--json] <command words>}: asks a running stack over its control socket and
 * prints the reply, as aligned tables or as JSON. The words are parsed here ({@link CtlCommands}) and the tables
 * formatted here ({@link TableFormatter}, {@link JsonFormatter}); the stack only receives a compact request and
 * returns data. Exit status: 0 done, 1 the stack refused or could not be reached, 2 a usage error.
 */
final class CtlCommand {

    /** The environment variable naming the control socket when {@code -s} is not given. */
    static final String SOCKET_VARIABLE = "SLUICE_CLI_SOCKET";

    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    private CtlCommand() {}

    static int run(String[] args) {
        return run(args, System.out, System.err, System::getenv);
    }

    /**
     * @param environment looks up environment variables (for {@value #SOCKET_VARIABLE})
     * @return the exit status
     */
    static int run(String[] args, PrintStream out, PrintStream err, UnaryOperator<String> environment) {
        String fromEnvironment = environment.apply(SOCKET_VARIABLE);
        Path socket = fromEnvironment == null || fromEnvironment.isEmpty() ? ControlClient.DEFAULT_SOCKET
                : Path.of(fromEnvironment);
        boolean json = false;
        List<String> words = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (words.isEmpty() && (arg.equals("-s") || arg.equals("--socket"))) {
                if (i + 1 == args.length) {
                    return usage(err, arg + " needs a socket path");
                }
                socket = Path.of(args[++i]);
            } else if (arg.equals("--json")) {
                json = true;
            } else if (words.isEmpty() && (arg.equals("-h") || arg.equals("--help") || arg.equals("help"))) {
                printHelp(out);
                return OK;
            } else if (words.isEmpty() && arg.startsWith("-")) {
                return usage(err, "unknown option '" + arg + "'");
            } else {
                words.add(arg);
            }
        }
        if (words.isEmpty()) {
            return usage(err, "no command given");
        }
        ControlRequest request;
        try {
            request = CtlCommands.parse(words);
        } catch (CtlUsageException e) {
            return usage(err, e.getMessage());
        }
        ControlReply reply;
        try (ControlClient client = ControlClient.connect(socket)) {
            reply = client.request(request);
        } catch (IOException | IllegalArgumentException e) {
            err.println("sluice ctl: " + e.getMessage());
            return FAILED;
        }
        return switch (reply) {
            case ControlReply.Failure f -> {
                err.println("sluice ctl: " + f.message());
                yield FAILED;
            }
            case ControlReply.Tables t -> {
                if (json) {
                    out.print(JsonFormatter.format(t.tables()));
                } else {
                    out.print(TableFormatter.format(t.tables()));
                }
                out.flush();
                yield OK;
            }
        };
    }

    private static int usage(PrintStream err, String problem) {
        err.println("sluice ctl: " + problem);
        err.println();
        printHelp(err);
        return USAGE;
    }

    static void printHelp(PrintStream out) {
        out.println("usage: bin/sluice ctl [-s SOCKET] [--json] <command>");
        out.println();
        out.println("Asks a running stack (bin/sluice stack) over its control socket: -s, else $" + SOCKET_VARIABLE
                + ",");
        out.println("else " + ControlClient.DEFAULT_SOCKET + ". Keywords may be shortened: sh int, sh run. --json"
                + " prints the same tables as JSON.");
        out.println();
        out.println("commands:");
        int width = CtlCommands.ALL.stream().mapToInt(c -> c.usage().length()).max().orElse(0);
        for (CtlCommands.Command command : CtlCommands.ALL) {
            out.println("  " + command.usage() + " ".repeat(width - command.usage().length() + 2)
                    + command.summary());
        }
    }
}
