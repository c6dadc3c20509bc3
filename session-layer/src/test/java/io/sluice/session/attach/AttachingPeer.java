package io.sluice.session.attach;

import java.nio.file.Path;

/**
 * Peer process for {@link AttachServerTest}: attaches to the stack at the socket given as the first argument, adds
 * a worker, prints {@code attached} and waits to be killed (at most the seconds given as the second argument).
 */
public final class AttachingPeer {

    private AttachingPeer() {}

    public static void main(String[] args) throws Exception {
        AttachClient client = AttachClient.connect(Path.of(args[0]));
        client.attach(AttachCodecTest.ATTACH);
        client.addWorker();
        System.out.println("attached " + client.appIndex());
        System.out.flush();
        Thread.sleep(Long.parseLong(args[1]) * 1000);
    }
}
