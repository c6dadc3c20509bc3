package io.sluice.core.iface;

import io.sluice.core.phy.Device;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Interface index to interface, shared by every thread of one stack. Interfaces are added by the control thread
 * (at start, from the configuration) and never removed while workers run; workers read the table without locks
 * through a copy-on-write array, so a lookup is a volatile read and an array access.
 */
public final class InterfaceTable {

    /** The most interfaces a stack has; indices are below this. */
    public static final int MAX_INTERFACES = 256;

    private volatile Interface[] interfaces = new Interface[0];

    /**
     * Adds {@code device} under the next free index.
     *
     * @return the new interface
     * @throws IllegalArgumentException if a device of that name is already in the table
     * @throws IllegalStateException if the table holds {@link #MAX_INTERFACES} interfaces
     */
    public synchronized Interface add(Device device) {
        Objects.requireNonNull(device, "device");
        Interface[] current = interfaces;
        for (Interface existing : current) {
            if (existing.name().equals(device.name())) {
                throw new IllegalArgumentException("an interface named '" + device.name() + "' exists already ("
                        + existing + ")");
            }
        }
        if (current.length == MAX_INTERFACES) {
            throw new IllegalStateException("the stack has " + MAX_INTERFACES + " interfaces, the most it can have");
        }
        Interface added = new Interface(current.length, device);
        Interface[] next = Arrays.copyOf(current, current.length + 1);
        next[current.length] = added;
        interfaces = next;
        return added;
    }

    /** The interface at {@code index}, or null when there is none. */
    public Interface get(int index) {
        Interface[] current = interfaces;
        return index >= 0 && index < current.length ? current[index] : null;
    }

    /** The interface named {@code name}, or null. */
    public Interface byName(String name) {
        for (Interface i : interfaces) {
            if (i.name().equals(name)) {
                return i;
            }
        }
        return null;
    }

    /** How many interfaces there are; their indices are 0 to size − 1. */
    public int size() {
        return interfaces.length;
    }

    /** Every interface, by index (a snapshot). */
    public List<Interface> all() {
        return List.of(interfaces);
    }
}
