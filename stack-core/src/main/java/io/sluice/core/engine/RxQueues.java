package io.sluice.core.engine;

import io.sluice.core.iface.Interface;
import io.sluice.core.iface.RxMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The receive queues one worker polls, as parallel arrays the device-input node walks without allocating. Changed
 * only on the worker's own thread (by placement tasks), so nothing here is synchronised.
 */
final class RxQueues {

    Interface[] interfaces = new Interface[4];
    int[] queueIds = new int[4];
    int count;

    boolean contains(Interface iface, int queue) {
        return indexOf(iface, queue) >= 0;
    }

    void add(Interface iface, int queue) {
        if (contains(iface, queue)) {
            return;
        }
        if (count == interfaces.length) {
            interfaces = Arrays.copyOf(interfaces, count * 2);
            queueIds = Arrays.copyOf(queueIds, count * 2);
        }
        interfaces[count] = iface;
        queueIds[count] = queue;
        count++;
    }

    boolean remove(Interface iface, int queue) {
        int i = indexOf(iface, queue);
        if (i < 0) {
            return false;
        }
        count--;
        System.arraycopy(interfaces, i + 1, interfaces, i, count - i);
        System.arraycopy(queueIds, i + 1, queueIds, i, count - i);
        interfaces[count] = null;
        return true;
    }

    /** How many of the queues have no readiness descriptor (the worker must not sleep long while it has any). */
    int polledOnly() {
        int n = 0;
        for (int i = 0; i < count; i++) {
            if (interfaces[i].device().receiveReadiness(queueIds[i]) == null) {
                n++;
            }
        }
        return n;
    }

    /** Whether any queue's interface is in {@link RxMode#POLLING} mode (read when idle, so a switch takes hold). */
    boolean anyPolling() {
        for (int i = 0; i < count; i++) {
            if (interfaces[i].rxMode() == RxMode.POLLING) {
                return true;
            }
        }
        return false;
    }

    List<RxQueue> snapshot() {
        List<RxQueue> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(new RxQueue(interfaces[i].index(), interfaces[i].name(), queueIds[i]));
        }
        return out;
    }

    private int indexOf(Interface iface, int queue) {
        for (int i = 0; i < count; i++) {
            if (interfaces[i] == iface && queueIds[i] == queue) {
                return i;
            }
        }
        return -1;
    }
}
