package io.sluice.session.control;

import java.util.List;

/**
 * The stack's answer to a {@link ControlRequest}: data, not text. Either a failure with a message for the user,
 * or tables (none for a command that only acts), which the client formats as text or JSON.
 */
public sealed interface ControlReply {

    /** @return the reply of a command that acted and has nothing to show */
    static ControlReply ok() {
        return new Tables(List.of());
    }

    /** @return a reply of the given tables */
    static ControlReply of(ControlTable... tables) {
        return new Tables(List.of(tables));
    }

    /** @return a failure with the given message */
    static ControlReply failure(String message) {
        return new Failure(message);
    }

    /**
     * The request failed.
     *
     * @param message what went wrong, naming the thing (interface, worker, file)
     */
    record Failure(String message) implements ControlReply {
        public Failure {
            if (message == null || message.isEmpty()) {
                throw new IllegalArgumentException("a failure needs a message");
            }
        }
    }

    /**
     * The request succeeded.
     *
     * @param tables the data, in the order to show it; empty for a command that only acts
     */
    record Tables(List<ControlTable> tables) implements ControlReply {
        public Tables {
            tables = List.copyOf(tables);
        }
    }
}
