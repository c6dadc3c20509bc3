package io.sluice.netty;

import io.sluice.comms.Sluice;
import io.sluice.comms.SluiceException;
import io.sluice.core.config.VclConfig;
import io.sluice.core.sys.EventFd;
import io.sluice.session.attach.AttachClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Whether the Sluice transport can run here, in the manner of Netty's {@code Epoll.isAvailable()}: JDK 25 or newer,
 * Linux, native access allowed ({@code --enable-native-access=ALL-UNNAMED}, or the module that holds Sluice) and
 * working; and the process's default application ({@link #defaultSluice()}) for
 * {@link SluiceIoHandler#newFactory()}.
 */
public final class SluiceNetty {

    /** The system property naming the default application ({@link #defaultSluice()}); "netty" when unset. */
    public static final String APP_NAME_PROPERTY = "sluice.app.name";
    /** The default application's name when {@link #APP_NAME_PROPERTY} is unset. */
    public static final String DEFAULT_APP_NAME = "netty";

    private static final Throwable UNAVAILABILITY_CAUSE = probe();
    private static Sluice defaultSluice;

    private SluiceNetty() {
    }

    private static Throwable probe() {
        if (Runtime.version().feature() < 25) {
            return new UnsupportedOperationException("Sluice needs JDK 25 or newer, this is " + Runtime.version());
        }
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (!os.contains("linux")) {
            return new UnsupportedOperationException("Sluice runs on Linux only, this is " + os);
        }
        if (!SluiceNetty.class.getModule().isNativeAccessEnabled()) {
            return new UnsupportedOperationException("Sluice calls native code: start the JVM with"
                    + " --enable-native-access=ALL-UNNAMED (or name the module that holds Sluice)");
        }
        try (EventFd probe = EventFd.create(0, EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC)) {
            return null;
        } catch (Throwable t) {
            return new UnsupportedOperationException("Sluice's native calls fail here: " + t, t);
        }
    }

    /** @return whether the transport can run in this JVM (it still needs a stack to attach to, or an embedded one) */
    public static boolean isAvailable() {
        return UNAVAILABILITY_CAUSE == null;
    }

    /**
     * @throws UnsupportedOperationException saying why the transport cannot run here, if it cannot
     */
    public static void ensureAvailability() {
        if (UNAVAILABILITY_CAUSE != null) {
            throw (UnsupportedOperationException) new UnsupportedOperationException(
                    "the Sluice Netty transport is not available").initCause(UNAVAILABILITY_CAUSE);
        }
    }

    /** @return why the transport cannot run here, or null if it can */
    public static Throwable unavailabilityCause() {
        return UNAVAILABILITY_CAUSE;
    }

    /**
     * Whether a stack is there for the default application: it is attached already, or the attach socket its
     * {@code vcl.conf} names exists. (An application with an embedded stack does not need one.)
     *
     * @return true if {@link #defaultSluice()} can be expected to attach
     */
    public static synchronized boolean isStackReachable() {
        if (defaultSluice != null && !defaultSluice.isClosed()) {
            return true;
        }
        try {
            Path socket = AttachClient.socketPath(VclConfig.fromEnvironment());
            return Files.exists(socket);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * The application {@link SluiceIoHandler#newFactory()} uses, attached on first use (once per process) with the
     * {@code vcl.conf} named by the system property {@code sluice.vcl.config} or the environment variable
     * {@code VCL_CONFIG} (see {@link Sluice#attach(String)}), under the name given by the system property
     * {@value #APP_NAME_PROPERTY} ({@value #DEFAULT_APP_NAME} by default). It stays attached for the life of the
     * process, or until closed; a closed one is replaced by a new attach at the next call.
     *
     * @return the attached application
     * @throws UnsupportedOperationException when the transport cannot run here
     * @throws IllegalStateException naming the socket and the reason when the stack cannot be attached
     */
    public static synchronized Sluice defaultSluice() {
        ensureAvailability();
        if (defaultSluice == null || defaultSluice.isClosed()) {
            String name = System.getProperty(APP_NAME_PROPERTY, DEFAULT_APP_NAME);
            try {
                defaultSluice = Sluice.attach(name);
            } catch (SluiceException e) {
                throw new IllegalStateException("the Sluice Netty transport's default application: "
                        + e.getMessage(), e);
            }
        }
        return defaultSluice;
    }
}
