package io.sluice.core.ip;

import io.sluice.core.wire.Ip4Address;
import java.util.List;

/**
 * One immutable version of an {@link Ip4Fib}, built by the control thread and read by workers: the routes as
 * parallel primitive arrays, and for each prefix length in use an open-addressing hash table from network to route
 * number. A longest-prefix match probes the lengths in use from the longest down, so it costs at most one probe
 * sequence per distinct length (a host's table has few: 32, its networks, 0) and allocates nothing.
 */
final class FibSnapshot {

    static final FibSnapshot EMPTY = new FibSnapshot(List.of(), List.of(), 0);

    final List<Ip4Fib.Route> routes;
    final List<Ip4Fib.InterfaceAddress> addressList;
    final long version;

    final int[] types;
    final int[] ifIndexes;
    final int[] gateways;
    final int[] sources;

    final int addressCount;
    final int[] addressIfIndexes;
    final int[] addresses;
    final int[] addressLengths;

    /** Prefix lengths that have routes, longest first, and their tables (indexed by length). */
    private final int[] lengths;
    private final int[] netmasks;
    private final int[][] keys = new int[33][];
    /** Route number + 1; 0 = empty slot. */
    private final int[][] values = new int[33][];

    FibSnapshot(List<Ip4Fib.Route> routes, List<Ip4Fib.InterfaceAddress> addressList, long version) {
        this.routes = List.copyOf(routes);
        this.addressList = List.copyOf(addressList);
        this.version = version;
        int n = routes.size();
        types = new int[n];
        ifIndexes = new int[n];
        gateways = new int[n];
        sources = new int[n];
        int[] perLength = new int[33];
        for (int r = 0; r < n; r++) {
            Ip4Fib.Route route = routes.get(r);
            types[r] = route.type();
            ifIndexes[r] = route.ifIndex();
            gateways[r] = route.gateway();
            sources[r] = route.type() == Ip4Fib.LOCAL ? route.prefix() : route.source();
            perLength[route.length()]++;
        }
        int distinct = 0;
        for (int len = 32; len >= 0; len--) {
            if (perLength[len] > 0) {
                distinct++;
                int size = Integer.highestOneBit(perLength[len] * 2) << 1;
                keys[len] = new int[size];
                values[len] = new int[size];
            }
        }
        lengths = new int[distinct];
        netmasks = new int[distinct];
        int k = 0;
        for (int len = 32; len >= 0; len--) {
            if (perLength[len] > 0) {
                netmasks[k] = Ip4Address.netmask(len);
                lengths[k++] = len;
            }
        }
        for (int r = 0; r < n; r++) {
            Ip4Fib.Route route = routes.get(r);
            int[] table = keys[route.length()];
            int mask = table.length - 1;
            int i = hash(route.prefix()) & mask;
            while (values[route.length()][i] != 0) {
                i = (i + 1) & mask;
            }
            table[i] = route.prefix();
            values[route.length()][i] = r + 1;
        }
        addressCount = addressList.size();
        addressIfIndexes = new int[addressCount];
        addresses = new int[addressCount];
        addressLengths = new int[addressCount];
        for (int i = 0; i < addressCount; i++) {
            addressIfIndexes[i] = addressList.get(i).ifIndex();
            addresses[i] = addressList.get(i).address();
            addressLengths[i] = addressList.get(i).length();
        }
    }

    /** The number of the longest route matching {@code address}, or -1. */
    int find(int address) {
        for (int k = 0; k < lengths.length; k++) {
            int len = lengths[k];
            int network = address & netmasks[k];
            int[] table = keys[len];
            int[] routeNumbers = values[len];
            int mask = table.length - 1;
            int i = hash(network) & mask;
            while (routeNumbers[i] != 0) {
                if (table[i] == network) {
                    return routeNumbers[i] - 1;
                }
                i = (i + 1) & mask;
            }
        }
        return -1;
    }

    private static int hash(int network) {
        int h = network * 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
