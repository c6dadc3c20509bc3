package io.sluice.core.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.util.Locale;
import java.util.Optional;

/**
 * The plumbing every binding in this package shares: the native linker, the libc lookup, errno capture, the
 * platform check and a small per-thread scratch area.
 *
 * <p>Whether native code can be called is decided once, when this class initialises. When it cannot (not Linux,
 * an architecture whose struct layouts we do not know, or a JVM started with {@code --illegal-native-access=deny}
 * and without {@code --enable-native-access}), {@link #downcall} still returns a method handle of the right type,
 * but one that throws {@link UnsupportedOperationException} carrying {@link #unavailableReason()}. So the binding
 * classes initialise normally and every call says what is missing, instead of a bare {@code NoClassDefFoundError}
 * on the second attempt. Call {@link #ensureAvailable()} at startup to fail early.
 */
public final class NativeAccess {

    /** The CPU architectures whose struct layouts this package knows (they differ, e.g. for epoll_event). */
    public enum Arch {
        X86_64,
        AARCH64
    }

    static final Linker LINKER;
    private static final SymbolLookup LIBC;

    /**
     * Layout of the call state the linker captures right after a call returns, before the JVM can run code that
     * overwrites errno. On Linux it holds only {@code errno} (an int).
     */
    private static final StructLayout CALL_STATE_LAYOUT;
    private static final VarHandle ERRNO;
    private static final Linker.Option CAPTURE_ERRNO;

    private static final MethodHandle NEW_UNSUPPORTED;

    /** Null when native calls work, else the reason they do not. */
    private static final String UNAVAILABLE;

    /** The architecture this JVM runs on, or null when it is not one of {@link Arch}. */
    static final Arch ARCH;

    /** Bytes of the per-thread scratch buffer: room for the largest small struct passed by pointer (sockaddr_un). */
    static final int SCRATCH_BYTES = 128;

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    static {
        ARCH = archOf(System.getProperty("os.arch"));
        Linker linker = null;
        SymbolLookup libc = null;
        String reason = platformProblem(System.getProperty("os.name"), System.getProperty("os.arch"));
        if (reason == null) {
            try {
                linker = Linker.nativeLinker();
                libc = linker.defaultLookup();
                reason = probe(linker, libc);
            } catch (UnsupportedOperationException e) {
                reason = "this JVM has no native linker for its platform: " + e.getMessage();
            }
        }
        LINKER = linker;
        LIBC = libc;
        UNAVAILABLE = reason;
        CALL_STATE_LAYOUT = Linker.Option.captureStateLayout();
        ERRNO = CALL_STATE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
        CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
        try {
            NEW_UNSUPPORTED = MethodHandles.lookup().findConstructor(UnsupportedOperationException.class,
                    MethodType.methodType(void.class, String.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private NativeAccess() {
    }

    /** True when this JVM can call the Linux functions this package binds. */
    public static boolean isAvailable() {
        return UNAVAILABLE == null;
    }

    /** Why native calls are unavailable, or empty when they are available. */
    public static Optional<String> unavailableReason() {
        return Optional.ofNullable(UNAVAILABLE);
    }

    /**
     * Fails with the reason native calls are unavailable; a stack should call this once at startup.
     *
     * @throws UnsupportedOperationException naming the JVM flag or the platform that is missing
     */
    public static void ensureAvailable() {
        if (UNAVAILABLE != null) {
            throw new UnsupportedOperationException(UNAVAILABLE);
        }
    }

    /** The JVM flag that grants this package native access: it names our module, or ALL-UNNAMED on the class path. */
    public static String enableNativeAccessFlag() {
        Module module = NativeAccess.class.getModule();
        return "--enable-native-access=" + (module.isNamed() ? module.getName() : "ALL-UNNAMED");
    }

    static Arch archOf(String osArch) {
        return switch (osArch) {
            case "amd64", "x86_64" -> Arch.X86_64;
            case "aarch64", "arm64" -> Arch.AARCH64;
            default -> null;
        };
    }

    static String platformProblem(String osName, String osArch) {
        if (osName == null || !osName.startsWith("Linux")) {
            return "Sluice's native bindings need Linux (eventfd, memfd, epoll, TUN/TAP); this JVM runs on "
                    + osName + " (" + osArch + ")";
        }
        if (archOf(osArch) == null) {
            return "Sluice's native bindings know the struct layouts of x86_64 and aarch64 only; this JVM runs on "
                    + osArch;
        }
        return null;
    }

    /** Links one harmless function: the JVM refuses here when native access is denied to this module. */
    @SuppressWarnings("restricted")
    private static String probe(Linker linker, SymbolLookup libc) {
        try {
            MemorySegment getpid = libc.find("getpid").orElseThrow();
            linker.downcallHandle(getpid, FunctionDescriptor.of(ValueLayout.JAVA_INT));
            return null;
        } catch (IllegalCallerException e) {
            return String.format(Locale.ROOT, "Sluice cannot call native code: this JVM denies native access to %s. "
                    + "Start the JVM with %s", moduleName(), enableNativeAccessFlag());
        }
    }

    private static String moduleName() {
        Module module = NativeAccess.class.getModule();
        return module.isNamed() ? "module " + module.getName() : "the unnamed module (class path)";
    }

    /**
     * Links a libc function once, capturing errno. The handle's first parameter is the call-state segment (see
     * {@link Scratch#callState}), followed by the C parameters.
     */
    static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        Linker.Option[] all = new Linker.Option[options.length + 1];
        all[0] = CAPTURE_ERRNO;
        System.arraycopy(options, 0, all, 1, options.length);
        MethodType type = descriptor.toMethodType().insertParameterTypes(0, MemorySegment.class);
        return link(name, descriptor, type, all);
    }

    /**
     * Links a libc function without errno capture, for the hot path of a call that usually succeeds: the caller
     * repeats a failed call once through the {@link #downcall capturing handle} to learn why. <i>Why:</i> a capturing
     * call slices its call-state segment on every call (the linker's check), a heap object that only a fully inlined
     * call site escapes; a sleep or wakeup reached through a less inlined path would allocate per call.
     */
    static MethodHandle downcallUnchecked(String name, FunctionDescriptor descriptor) {
        return link(name, descriptor, descriptor.toMethodType());
    }

    /** Links a libc function that never fails (so there is no errno to capture). */
    static MethodHandle downcallNoErrno(String name, FunctionDescriptor descriptor) {
        return link(name, descriptor, descriptor.toMethodType());
    }

    @SuppressWarnings("restricted")
    private static MethodHandle link(String name, FunctionDescriptor descriptor, MethodType type,
            Linker.Option... options) {
        if (UNAVAILABLE != null) {
            return thrower(type, UNAVAILABLE);
        }
        Optional<MemorySegment> symbol = LIBC.find(name);
        if (symbol.isEmpty()) {
            return thrower(type, "this C library has no function '" + name + "' (Sluice needs glibc 2.33 or later)");
        }
        return LINKER.downcallHandle(symbol.get(), descriptor, options);
    }

    /** A handle of the given type that throws a fresh UnsupportedOperationException with the message each call. */
    private static MethodHandle thrower(MethodType type, String message) {
        MethodHandle raise = MethodHandles.throwException(type.returnType(), UnsupportedOperationException.class);
        MethodHandle make = MethodHandles.insertArguments(NEW_UNSUPPORTED, 0, message);
        return MethodHandles.dropArguments(MethodHandles.foldArguments(raise, make), 0, type.parameterList());
    }

    /**
     * For the catch block around {@code invokeExact}: a downcall handle throws only unchecked exceptions (or the
     * UnsupportedOperationException of an unavailable binding), so anything else is a bug worth seeing.
     */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException e) {
            return e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("a native call threw a checked exception", t);
    }

    /**
     * Throws when a call returned a negative result, with the errno it left. For control paths: the arguments are
     * formatted before the call, which data paths cannot afford.
     */
    static void check(long result, MemorySegment callState, String call, String arguments) throws SyscallException {
        if (result < 0) {
            throw new SyscallException(call, arguments, errno(callState));
        }
    }

    /** Refuses flag bits a binding does not know, naming them, before the kernel sees them. */
    static void checkFlags(String call, int flags, int known) {
        if ((flags & ~known) != 0) {
            throw new IllegalArgumentException("unknown " + call + " flags 0x" + Integer.toHexString(flags & ~known)
                    + " (known: 0x" + Integer.toHexString(known) + ")");
        }
    }

    /** The errno a call left in its call-state segment. */
    static int errno(MemorySegment callState) {
        return (int) ERRNO.get(callState, 0L);
    }

    /**
     * Sets up the calling thread's scratch area now, so that its later native calls allocate nothing on the heap.
     * Threads on a data path (workers) call it when they start; otherwise the first call does it.
     */
    public static void prepareCurrentThread() {
        scratch();
    }

    /** The calling thread's scratch area; allocated on the thread's first call, reused after (no allocation). */
    static Scratch scratch() {
        return SCRATCH.get();
    }

    /**
     * Native memory owned by one thread: the errno capture segment and room for one small struct or value. The
     * memory belongs to an automatic arena, so it is freed once the thread (and its thread-locals) is gone.
     *
     * <p>A binding may use the buffer only for the duration of one native call, and must not call another binding
     * while it holds data there: the scratch area is not re-entrant.
     */
    static final class Scratch {
        final MemorySegment callState;
        /** Eight bytes, aligned for a long: an out-parameter such as the eventfd counter. */
        final MemorySegment word;
        /** {@link #SCRATCH_BYTES} bytes, 8-aligned, for a small struct (epoll_event, sockaddr_un, ucred). */
        final MemorySegment buffer;

        private Scratch() {
            Arena arena = Arena.ofAuto();
            callState = arena.allocate(CALL_STATE_LAYOUT);
            word = arena.allocate(ValueLayout.JAVA_LONG);
            buffer = arena.allocate(SCRATCH_BYTES, Long.BYTES);
        }
    }
}
