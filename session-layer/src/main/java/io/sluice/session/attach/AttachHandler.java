package io.sluice.session.attach;

import io.sluice.core.sys.NativeFd;
import io.sluice.core.sys.UnixSocket;
import java.util.List;

/**
 * What the stack does for the attach protocol's requests once {@link AttachServer} has decoded and checked them:
 * make an application, add and remove its workers, forget it. The server calls these from its one thread, so an
 * implementation needs no locking against itself. {@link MemfdAttachHandler} is the simple implementation that
 * makes segments and queues; the session layer's applications table will take its place.
 */
public interface AttachHandler {

    /**
     * A granted request: the reply to send and the descriptors that go with it, in the order the reply's roles
     * list. The handler keeps owning the descriptors (the receiver gets its own copies).
     */
    record Grant<M extends AttachMessage>(M reply, List<NativeFd> fds) {
        public Grant {
            fds = List.copyOf(fds);
        }
    }

    /**
     * Makes an application.
     *
     * @param request the checked ATTACH
     * @param namespace the namespace the application was admitted to ({@link NamespaceTable#check})
     * @param peer the attaching process
     * @return the reply (with the application's index, its first segment and worker 0) and its descriptors
     * @throws AttachException when refused, with the status and message the application will see
     */
    Grant<AttachMessage.AttachReply> attach(AttachMessage.Attach request, String namespace,
            UnixSocket.PeerCredentials peer) throws AttachException;

    /** Adds a worker to an attached application. */
    Grant<AttachMessage.AddWorkerReply> addWorker(int appIndex) throws AttachException;

    /** Removes a worker, freeing its queue and eventfd. */
    void delWorker(int appIndex, int workerIndex) throws AttachException;

    /** Forgets an application: after DETACH, or when its socket closed without one. Frees everything it holds. */
    void detach(int appIndex);
}
