package io.sluice.core.ip;

import io.sluice.core.wire.Ip4Address;
import io.sluice.core.wire.MacAddress;

/**
 * One neighbour as {@code show ip arp} prints it: a copy taken by {@link ArpTable#snapshot}, not a live view.
 *
 * @param ifIndex the interface
 * @param ip the neighbour's address
 * @param mac its hardware address, or {@code null} while {@link ArpTable#INCOMPLETE}
 * @param state {@link ArpTable#stateName(int)} of the state
 * @param ageNanos time since the last confirmation (or since the first request while incomplete; 0 if static)
 * @param pending packets waiting for the address
 * @param requests requests sent since the entry was created or last confirmed
 */
public record ArpEntry(int ifIndex, Ip4Address ip, MacAddress mac, String state, long ageNanos, int pending,
        int requests) {

    @Override
    public String toString() {
        return String.format("if%-3d %-15s %-17s %-10s %6d s pending %d", ifIndex, ip,
                mac == null ? "-" : mac.toString(), state, ageNanos / ArpSettings.SECOND, pending);
    }
}
