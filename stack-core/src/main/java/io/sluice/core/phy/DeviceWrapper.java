package io.sluice.core.phy;

import io.sluice.core.sys.NativeFd;
import java.util.Objects;

/**
 * A device that stands in front of another and changes part of what it does (captures its frames, impairs its
 * link): everything it does not override is the inner device's, unchanged. Wrappers compose, like smoltcp's
 * {@code phy} middleware.
 */
public abstract class DeviceWrapper implements Device {

    /** The wrapped device. */
    protected final Device inner;

    protected DeviceWrapper(Device inner) {
        this.inner = Objects.requireNonNull(inner, "inner device");
    }

    /** The wrapped device. */
    public Device inner() {
        return inner;
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public long macAddress() {
        return inner.macAddress();
    }

    @Override
    public int mtu() {
        return inner.mtu();
    }

    @Override
    public int receiveQueueCount() {
        return inner.receiveQueueCount();
    }

    @Override
    public int transmitQueueCount() {
        return inner.transmitQueueCount();
    }

    @Override
    public NativeFd receiveReadiness(int queue) {
        return inner.receiveReadiness(queue);
    }

    @Override
    public boolean checksumOffload() {
        return inner.checksumOffload();
    }

    @Override
    public DeviceCounters counters() {
        return inner.counters();
    }

    @Override
    public void close() {
        inner.close();
    }
}
