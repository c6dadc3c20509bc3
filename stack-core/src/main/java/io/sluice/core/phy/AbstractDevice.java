package io.sluice.core.phy;

import io.sluice.core.wire.MacAddress;
import java.util.Objects;

/**
 * What every device has, checked in one place: a name, a MAC address (48 bits, unicast: it is the source address
 * of every frame the device sends), an MTU, and its counters, which also fix how many queues it has.
 */
public abstract class AbstractDevice implements Device {

    /** The smallest MTU: every IPv4 module must pass a 68-byte datagram unfragmented (RFC 791). */
    public static final int MIN_MTU = 68;
    /** The largest MTU an IPv4 total length can describe. */
    public static final int MAX_MTU = 65535;

    private final String name;
    private final long mac;
    private final int mtu;
    /** Per-queue counters, written by the worker serving each queue. */
    protected final DeviceCounters counters;

    protected AbstractDevice(String name, long macAddress, int mtu, int receiveQueues, int transmitQueues) {
        this.name = Objects.requireNonNull(name, "device name");
        this.mac = checkMac(macAddress);
        this.mtu = checkMtu(mtu);
        this.counters = new DeviceCounters(receiveQueues, transmitQueues);
    }

    /** Returns {@code mtu} if it is within [{@link #MIN_MTU}, {@link #MAX_MTU}], else throws naming it. */
    public static int checkMtu(int mtu) {
        if (mtu < MIN_MTU || mtu > MAX_MTU) {
            throw new IllegalArgumentException("MTU " + mtu + " is outside [" + MIN_MTU + ", " + MAX_MTU + "]");
        }
        return mtu;
    }

    /** Returns {@code mac} if it is a 48-bit unicast address, else throws naming it. */
    public static long checkMac(long mac) {
        if ((mac >>> 48) != 0) {
            throw new IllegalArgumentException("a MAC address has 48 bits, got 0x" + Long.toHexString(mac));
        }
        if (MacAddress.isMulticast(mac)) {
            throw new IllegalArgumentException("a device MAC address must be unicast: " + MacAddress.format(mac));
        }
        return mac;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final long macAddress() {
        return mac;
    }

    @Override
    public final int mtu() {
        return mtu;
    }

    @Override
    public final int receiveQueueCount() {
        return counters.receiveQueueCount();
    }

    @Override
    public final int transmitQueueCount() {
        return counters.transmitQueueCount();
    }

    @Override
    public final DeviceCounters counters() {
        return counters;
    }
}
