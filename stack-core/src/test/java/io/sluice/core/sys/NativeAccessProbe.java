package io.sluice.core.sys;

/** Run by {@link NativeAccessTest} in a JVM started with --illegal-native-access=deny. */
public final class NativeAccessProbe {

    private NativeAccessProbe() {
    }

    public static void main(String[] args) {
        System.out.println("available=" + NativeAccess.isAvailable());
        try {
            NativeAccess.ensureAvailable();
        } catch (RuntimeException e) {
            System.out.println("ensureAvailable: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        for (int attempt = 1; attempt <= 2; attempt++) {
            try {
                EventFd.create(0, 0).close();
                System.out.println("eventfd " + attempt + ": created");
            } catch (Exception e) {
                System.out.println("eventfd " + attempt + ": " + e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
    }
}
