/**
 * Sluice's bindings to Linux, through the Foreign Function and Memory API only (no JNI, no C): file descriptors,
 * eventfd, memfd and shared mappings, epoll, Unix-domain sockets with descriptor passing, TUN/TAP and CPU affinity.
 *
 * <p>The rules every class here follows:
 * <ul>
 *   <li>One class per facility. Each links its C functions once, into {@code static final} method handles, and
 *       calls them with {@code invokeExact}. {@link io.sluice.core.sys.NativeAccess} holds the shared plumbing and
 *       decides once whether native calls work at all; when they do not (not Linux, an unknown architecture, or a
 *       JVM without {@code --enable-native-access}), every binding throws UnsupportedOperationException saying
 *       why.</li>
 *   <li>errno is captured by the linker ({@code Linker.Option.captureCallState("errno")}) as the call returns, and
 *       a failing call throws {@link io.sluice.core.sys.SyscallException} naming the function, its arguments and the
 *       errno symbol and text. EAGAIN on a non-blocking path is not an error: it is a documented return value
 *       ({@link io.sluice.core.sys.Fds#WOULD_BLOCK}, {@link io.sluice.core.sys.EventFd#EMPTY}, false, null). EINTR
 *       is retried, except by epoll_wait, which reports no events.</li>
 *   <li>Bad arguments (null, negative sizes, names too long, unknown flags) are IllegalArgumentException, with the
 *       numbers in the message, before the kernel is asked.</li>
 *   <li>Data-path calls (eventfd read/write, epoll wait, fd read/write, socket send/receive) allocate nothing on the
 *       Java heap in steady state: their errno slot and small out-parameters live in a per-thread native scratch
 *       area, and epoll's event array belongs to its instance. Control-path calls build their structs in a confined
 *       arena per call.</li>
 *   <li>Every struct is a named layout constant with its offsets derived from it and a diagram in its Javadoc;
 *       where x86_64 and aarch64 differ (epoll_event, struct stat) both layouts are declared and tested.</li>
 *   <li>Descriptors are owned by {@link io.sluice.core.sys.NativeFd}, which closes each exactly once.</li>
 * </ul>
 */
package io.sluice.core.sys;
