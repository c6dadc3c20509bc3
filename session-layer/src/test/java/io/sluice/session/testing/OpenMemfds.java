package io.sluice.session.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Counts this process's open memfds by name, to prove that closing something leaves none behind. */
public final class OpenMemfds {

    private OpenMemfds() {}

    /** Open descriptors of this process that are memfds whose name starts with {@code namePrefix}. */
    public static long count(String namePrefix) {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().startsWith("/memfd:" + namePrefix);
                } catch (IOException e) {
                    return false; // the descriptor of the listing itself, closed meanwhile
                }
            }).count();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
