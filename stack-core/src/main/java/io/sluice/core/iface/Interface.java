package io.sluice.core.iface;

import io.sluice.core.phy.Device;
import java.util.Objects;

/**
 * One interface of the stack: a device and the index buffers use to name it. The device's identity (name, MAC,
 * MTU) is read through it, so it is stated once. The administrative state and the receive mode are switched by the
 * control thread and read by workers, hence volatile.
 */
public final class Interface {

    private final int index;
    private final Device device;
    private volatile boolean adminUp = true;
    private volatile RxMode rxMode = RxMode.ADAPTIVE;

    Interface(int index, Device device) {
        this.index = index;
        this.device = device;
    }

    public int index() {
        return index;
    }

    public Device device() {
        return device;
    }

    public String name() {
        return device.name();
    }

    /** The MAC address, 48 bits in the low bits of a long. */
    public long macAddress() {
        return device.macAddress();
    }

    /** The largest IP packet the interface carries. */
    public int mtu() {
        return device.mtu();
    }

    /** Whether the interface passes traffic ({@code set interface state <if> up|down}). */
    public boolean isAdminUp() {
        return adminUp;
    }

    public void setAdminUp(boolean up) {
        this.adminUp = up;
    }

    /** How the worker serving this interface waits for frames. */
    public RxMode rxMode() {
        return rxMode;
    }

    /** Switches the receive mode; the serving worker sees it at its next idle moment. */
    public void setRxMode(RxMode mode) {
        this.rxMode = Objects.requireNonNull(mode, "rx mode");
    }

    @Override
    public String toString() {
        return "interface " + index + " (" + device.name() + ")";
    }
}
