package io.sluice.netty;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.util.concurrent.ThreadAwareExecutor;
import io.sluice.comms.Sluice;
import io.sluice.comms.SluiceException;
import io.sluice.comms.SluicePollable;
import io.sluice.comms.SluicePoller;
import io.sluice.core.sys.Epoll;
import io.sluice.core.sys.EventFd;
import io.sluice.core.sys.SyscallException;
import io.sluice.session.app.AppWorker;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Netty's IO for one event loop over Sluice: the loop's thread is one comms-lib worker, and its channels are the
 * connections, listeners and connects under way of that worker, watched by the thread's {@link SluicePoller}.
 *
 * <p>{@link #run} drains the poller without waiting and hands each ready entry to its {@link SluiceIoHandle}. With
 * nothing ready and no task due, it busy-polls for the configured budget (none by default), then sleeps: it announces
 * the sleep to the stack and the cut-through peers ({@link SluicePoller#prepareToSleep()}) and waits in an epoll set
 * of its own on the worker's eventfd (which they write) and on a wakeup eventfd (which {@link #wakeup()} writes, at
 * most once per sleep), up to the next scheduled task's deadline. The run path allocates nothing.
 *
 * <p>Every comms-lib object belongs to the thread that made it, so the loop's channels bind, connect and claim
 * accepted connections on the loop itself, which is where Netty runs {@code doBind}, {@code doConnect} and
 * {@code doRegister}.
 */
public final class SluiceIoHandler implements IoHandler {

    private static final System.Logger LOG = System.getLogger(SluiceIoHandler.class.getName());

    /** {@link #nextWakeupNanos} while the loop is awake: a wakeup then writes nothing. */
    private static final long AWAKE = -1L;
    /** Longest single sleep: the loop then checks that the stack is still there. */
    private static final int SLEEP_SLICE_MILLIS = 1_000;
    private static final long STACK_CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Epoll data of the worker's eventfd and of the wakeup eventfd. */
    private static final long WORKER_FD = 1;
    private static final long WAKEUP_FD = 2;
    /** Bits reported whether asked for or not. */
    private static final int ALWAYS = SluicePoller.ERR | SluicePoller.HUP;
    private static final int EVERYTHING = SluicePoller.IN | SluicePoller.OUT | ALWAYS;

    private final Sluice sluice;
    private final ThreadAwareExecutor executor;
    private final long busyPollNanos;
    private final int pollerCapacity;

    private SluicePoller poller;
    private AppWorker worker;
    private Epoll sleepSet;
    private EventFd wakeupFd;
    /** The deadline of the current sleep, {@link #AWAKE} when not sleeping: written by the loop, swapped by wakeup. */
    private final AtomicLong nextWakeupNanos = new AtomicLong(AWAKE);
    /** Wakeups writing the eventfd now: {@link #destroy()} waits for them before closing it. */
    private final AtomicInteger wakeupsInFlight = new AtomicInteger();
    private volatile boolean destroyed;
    private boolean stackLost;
    /** Sleeps taken in the epoll set (read on the loop). */
    private long sleeps;
    private long lastStackCheck = System.nanoTime();
    /** The registrations, for {@link #prepareToDestroy()}: an intrusive list, so (un)registering allocates no node. */
    private Registration first;
    private int registrations;

    private SluiceIoHandler(Sluice sluice, ThreadAwareExecutor executor, long busyPollNanos, int pollerCapacity) {
        this.sluice = sluice;
        this.executor = executor;
        this.busyPollNanos = busyPollNanos;
        this.pollerCapacity = pollerCapacity;
    }

    /**
     * Handlers on the process's default application ({@link SluiceNetty#defaultSluice()}: attached on first use
     * with the {@code vcl.conf} named by {@code sluice.vcl.config} or {@code VCL_CONFIG}, named by the system
     * property {@code sluice.app.name}, "netty" by default).
     *
     * @return the factory for a {@link io.netty.channel.MultiThreadIoEventLoopGroup}
     */
    public static IoHandlerFactory newFactory() {
        return new Factory(null, 0);
    }

    /**
     * @param sluice the attached (or embedded) application whose workers the loops become
     * @return the factory for a {@link io.netty.channel.MultiThreadIoEventLoopGroup}
     */
    public static IoHandlerFactory newFactory(Sluice sluice) {
        return newFactory(sluice, 0);
    }

    /**
     * @param sluice the attached (or embedded) application whose workers the loops become
     * @param busyPollMicros how long an idle loop keeps polling before it sleeps (0: sleeps at once); trades a core
     *     for latency
     * @return the factory for a {@link io.netty.channel.MultiThreadIoEventLoopGroup}
     */
    public static IoHandlerFactory newFactory(Sluice sluice, int busyPollMicros) {
        Objects.requireNonNull(sluice, "sluice");
        if (busyPollMicros < 0) {
            throw new IllegalArgumentException("busy-poll budget " + busyPollMicros + " µs: 0 or more");
        }
        return new Factory(sluice, busyPollMicros);
    }

    private record Factory(Sluice sluice, int busyPollMicros) implements IoHandlerFactory {
        @Override
        public IoHandler newHandler(ThreadAwareExecutor executor) {
            Sluice application = sluice != null ? sluice : SluiceNetty.defaultSluice();
            return new SluiceIoHandler(application, executor, TimeUnit.MICROSECONDS.toNanos(busyPollMicros),
                    SluicePoller.DEFAULT_CAPACITY);
        }
    }

    /** @return the application this loop's worker belongs to */
    public Sluice sluice() {
        return sluice;
    }

    /** Makes the loop thread's worker and poller, and the epoll set it sleeps in. */
    @Override
    public void initialize() {
        try {
            worker = sluice.worker();
            poller = sluice.poller(pollerCapacity);
            sleepSet = Epoll.create(2);
            wakeupFd = EventFd.create(0, EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC);
            sleepSet.add(poller.eventFd().fd(), Epoll.EPOLLIN, WORKER_FD);
            sleepSet.add(wakeupFd.fd(), Epoll.EPOLLIN, WAKEUP_FD);
        } catch (SluiceException | SyscallException e) {
            throw new IllegalStateException("Sluice event loop on thread '" + Thread.currentThread().getName()
                    + "' of application '" + sluice.name() + "': " + e.getMessage(), e);
        }
    }

    @Override
    public int run(IoHandlerContext context) {
        int handled = pollNow();
        if (handled > 0 || !context.canBlock()) {
            return handled;
        }
        if (busyPollNanos > 0) {
            long end = System.nanoTime() + busyPollNanos;
            do {
                Thread.onSpinWait();
                handled = pollNow();
                if (handled > 0 || !context.canBlock()) {
                    return handled;
                }
            } while (System.nanoTime() - end < 0);
        }
        return sleep(context);
    }

    /** Sleeps until the worker's eventfd or the wakeup eventfd is written or the next task is due, then polls. */
    private int sleep(IoHandlerContext context) {
        long deadline = context.deadlineNanos();
        // Published before canBlock is asked again: a task added after this point finds the loop asleep and writes.
        nextWakeupNanos.set(deadline == AWAKE ? Long.MAX_VALUE : deadline);
        boolean timedOut = false;
        try {
            if (context.canBlock() && poller.prepareToSleep()) {
                long delay = context.delayNanos(System.nanoTime());
                int millis = delay <= 0 ? 0 : (int) Math.min(SLEEP_SLICE_MILLIS, (delay + 999_999) / 1_000_000);
                sleeps++;
                int ready = sleepSet.waitFor(millis);
                for (int i = 0; i < ready; i++) {
                    if (sleepSet.data(i) == WAKEUP_FD) {
                        wakeupFd.read();
                    }
                }
                timedOut = ready == 0;
            }
        } catch (SluiceException | SyscallException e) {
            LOG.log(System.Logger.Level.WARNING, "Sluice event loop: sleeping: " + e.getMessage(), e);
        } finally {
            if (nextWakeupNanos.get() != AWAKE) {
                nextWakeupNanos.set(AWAKE);
            }
        }
        if (timedOut) {
            checkStack();
        }
        return pollNow();
    }

    /** Drains the worker and hands what is ready to the handles, without waiting. */
    private int pollNow() {
        int ready;
        try {
            ready = poller.waitFor(0);
        } catch (SluiceException e) {
            LOG.log(System.Logger.Level.WARNING, "Sluice event loop: polling: " + e.getMessage(), e);
            return 0;
        }
        for (int i = 0; i < ready; i++) {
            if (poller.readyAttachment(i) instanceof Registration registration
                    && registration.target == poller.readyTarget(i)) {
                registration.dispatch(poller.readyEvents(i));
            }
        }
        return ready;
    }

    /** After a sleep that nothing ended: if the stack went away, every handle hears of it once (its calls fail). */
    private void checkStack() {
        long now = System.nanoTime();
        if (stackLost || now - lastStackCheck < STACK_CHECK_NANOS) {
            return;
        }
        lastStackCheck = now;
        if (worker.application().checkConnection()) {
            return;
        }
        stackLost = true;
        LOG.log(System.Logger.Level.WARNING, "Sluice event loop on thread '" + Thread.currentThread().getName()
                + "': the stack closed the attach connection of application '" + sluice.name()
                + "'; its channels fail");
        for (Registration r = first; r != null; ) {
            Registration next = r.next;
            if (r.target != null) {
                r.dispatch(EVERYTHING);
            }
            r = next;
        }
    }

    @Override
    public void wakeup() {
        if (executor.isExecutorThread(Thread.currentThread())) {
            return;
        }
        if (nextWakeupNanos.get() != AWAKE && nextWakeupNanos.getAndSet(AWAKE) != AWAKE) {
            wakeupsInFlight.incrementAndGet();
            try {
                if (!destroyed) {
                    wakeupFd.write(1);
                }
            } catch (SyscallException e) {
                LOG.log(System.Logger.Level.WARNING, "Sluice event loop: waking: " + e.getMessage(), e);
            } finally {
                wakeupsInFlight.decrementAndGet();
            }
        }
    }

    @Override
    public IoRegistration register(IoHandle handle) {
        if (!(handle instanceof SluiceIoHandle sluiceHandle)) {
            throw new IllegalArgumentException("a Sluice event loop serves Sluice channels only, not "
                    + handle.getClass().getName());
        }
        Registration registration = new Registration(sluiceHandle);
        registration.next = first;
        if (first != null) {
            first.previous = registration;
        }
        first = registration;
        registrations++;
        handle.registered();
        return registration;
    }

    @Override
    public boolean isCompatible(Class<? extends IoHandle> handleType) {
        return SluiceIoHandle.class.isAssignableFrom(handleType);
    }

    /** @return how many times the loop slept in its epoll set (for tests and diagnostics; read it on the loop) */
    long sleepCount() {
        return sleeps;
    }

    /** @return whether the loop is asleep, or about to sleep, now (any thread) */
    boolean isSleeping() {
        return nextWakeupNanos.get() != AWAKE;
    }

    /** @return how many handles are registered (for tests and diagnostics; read it on the loop) */
    int registrationCount() {
        return registrations;
    }

    @Override
    public void prepareToDestroy() {
        for (Registration r = first; r != null; ) {
            Registration next = r.next;
            try {
                r.handle.close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.DEBUG, "Sluice event loop: closing " + r.handle + ": " + e, e);
            }
            r = next;
        }
    }

    /**
     * Closes the poller and gives the thread's worker back, after waiting (up to a second) for the stack to clean up
     * the sessions closed by {@link #prepareToDestroy()}, so their peers hear the close.
     */
    @Override
    public void destroy() {
        destroyed = true;
        nextWakeupNanos.set(AWAKE);
        while (wakeupsInFlight.get() > 0) {
            Thread.onSpinWait();
        }
        try {
            if (worker != null && worker.sessionCount() > 0) {
                worker.waitUntil(() -> worker.sessionCount() == 0, 1_000);
            }
            if (poller != null) {
                poller.close();
            }
            if (sleepSet != null) {
                sleepSet.close();
            }
            if (wakeupFd != null) {
                wakeupFd.close();
            }
            if (!sluice.isClosed()) {
                sluice.releaseThread();
            }
        } catch (SluiceException | SyscallException e) {
            LOG.log(System.Logger.Level.WARNING, "Sluice event loop: closing: " + e.getMessage(), e);
        }
    }

    /** A handle's registration: its poller entry's attachment. */
    private final class Registration implements SluiceIoRegistration {

        private final SluiceIoHandle handle;
        private final AtomicBoolean cancelled = new AtomicBoolean();
        private SluicePollable target;
        private int interest;
        /** Taken out of the poller after a hang-up nobody asked about, until the interest changes. */
        private boolean parked;
        private Registration previous;
        private Registration next;

        Registration(SluiceIoHandle handle) {
            this.handle = handle;
        }

        void dispatch(int bits) {
            if (cancelled.get()) {
                return;
            }
            int relevant = bits & (interest | SluicePoller.ERR);
            if (relevant == 0) {
                // A hang-up (both sides shut) is reported on every wait while it holds: until the handle asks for
                // something again there is nothing to tell it, so it leaves the poller.
                if ((bits & SluicePoller.HUP) != 0) {
                    park();
                }
                return;
            }
            try {
                handle.handle(this, SluiceIoEvent.of(relevant | (bits & SluicePoller.HUP)));
            } catch (Throwable t) {
                LOG.log(System.Logger.Level.WARNING, "Sluice event loop: " + handle + " failed handling "
                        + SluiceIoEvent.describe(bits) + ": " + t, t);
            }
        }

        private void park() {
            try {
                if (poller.contains(target)) {
                    poller.remove(target);
                }
                parked = true;
            } catch (SluiceException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void watch(SluicePollable newTarget) throws SluiceException {
            requireLoop("watch");
            if (target != null && poller.contains(target)) {
                poller.remove(target);
            }
            target = null;
            parked = false;
            if (newTarget != null && !cancelled.get()) {
                poller.add(newTarget, interest, this);
                target = newTarget;
            }
        }

        @Override
        public SluicePollable target() {
            return target;
        }

        @Override
        public Sluice sluice() {
            return sluice;
        }

        /** @return this registration itself (the loop wraps it: the wrapper's attachment is how to reach it) */
        @Override
        @SuppressWarnings("unchecked")
        public <T> T attachment() {
            return (T) this;
        }

        /**
         * Sets the interest ({@link SluiceIoOps}); the poller is told only when it changes.
         *
         * @return the bits now asked for, or -1 once cancelled
         * @throws UncheckedIOException when the poller refuses (the target is another thread's)
         */
        @Override
        public long submit(IoOps ops) {
            if (!(ops instanceof SluiceIoOps sluiceOps)) {
                throw new IllegalArgumentException("a Sluice registration takes SluiceIoOps, not " + ops);
            }
            requireLoop("submit");
            if (cancelled.get()) {
                return -1;
            }
            int bits = sluiceOps.value();
            if (bits == interest && !parked) {
                return bits;
            }
            interest = bits;
            if (target == null) {
                return bits;
            }
            try {
                if (parked || !poller.contains(target)) {
                    parked = false;
                    poller.add(target, bits, this);
                } else {
                    poller.modify(target, bits);
                }
            } catch (SluiceException e) {
                if (e.code() != SluiceException.Code.CLOSED) {
                    throw new UncheckedIOException(e);
                }
                target = null; // closed under us: nothing left to watch
            }
            return bits;
        }

        @Override
        public boolean isValid() {
            return !cancelled.get();
        }

        @Override
        public boolean cancel() {
            if (!cancelled.compareAndSet(false, true)) {
                return false;
            }
            if (executor.isExecutorThread(Thread.currentThread())) {
                cancelNow();
            } else {
                executor.execute(this::cancelNow);
            }
            return true;
        }

        private void cancelNow() {
            try {
                if (target != null && poller.contains(target)) {
                    poller.remove(target);
                }
            } catch (SluiceException e) {
                LOG.log(System.Logger.Level.DEBUG, "Sluice event loop: unwatching " + target + ": " + e, e);
            }
            target = null;
            if (previous != null) {
                previous.next = next;
            } else if (first == this) {
                first = next;
            }
            if (next != null) {
                next.previous = previous;
            }
            previous = null;
            next = null;
            registrations--;
            handle.unregistered();
        }

        private void requireLoop(String what) {
            if (!executor.isExecutorThread(Thread.currentThread())) {
                throw new IllegalStateException("Sluice registration " + what + " from thread '"
                        + Thread.currentThread().getName() + "': only its event loop's thread may use it");
            }
        }

        @Override
        public String toString() {
            return "SluiceIoRegistration[" + handle + ", " + SluiceIoEvent.describe(interest)
                    + (target == null ? ", nothing watched" : ", " + target) + (cancelled.get() ? ", cancelled" : "")
                    + "]";
        }
    }
}
