package io.sluice.session.control;

/**
 * The stack's side of the control socket: turns a request into a reply. {@link ControlServer} calls it from one
 * thread at a time, so an implementation needs no locking of its own against other control requests (it still
 * reads the workers' counters while they run). An exception it throws becomes a {@link ControlReply.Failure}.
 */
@FunctionalInterface
public interface ControlHandler {

    /**
     * @param request the decoded request
     * @return the reply
     * @throws Exception when the request cannot be served; its message is shown to the user
     */
    ControlReply handle(ControlRequest request) throws Exception;
}
