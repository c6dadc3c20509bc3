package io.sluice.core.ip;

import io.sluice.core.iface.Interface;
import io.sluice.core.iface.InterfaceTable;
import io.sluice.core.wire.Ip4Address;
import io.sluice.core.wire.Ip4Prefix;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The IPv4 routing table (forwarding information base) of one stack, shared by every worker.
 *
 * <p><b>Writers and readers.</b> The control thread changes it ({@code synchronized} methods that throw
 * {@link IllegalArgumentException} naming the bad value); workers read it without locks: every change builds a new
 * immutable {@link FibSnapshot} and publishes it through a volatile field, so a reader sees one consistent table for
 * the duration of a call. Lookups allocate nothing.
 *
 * <p><b>Routes.</b> An interface address {@code 198.18.0.1/24} on interface 0 installs a <em>local</em> /32 route
 * (the host itself) and a <em>connected</em> route {@code 198.18.0.0/24} (next hop: the destination itself);
 * static routes add a prefix via a gateway, which must be on a connected network of the route's interface (or
 * 0: the prefix is on-link). One route per prefix; a lookup is longest-prefix match.
 *
 * <p><b>Results</b> of {@link #lookup} are packed in a {@code long} (type, interface, next hop), read with
 * {@link #type(long)}, {@link #ifIndex(long)} and {@link #nextHop(long)}; {@link #NO_ROUTE} when nothing matches.
 */
public final class Ip4Fib {

    /** {@link #lookup}: nothing matches. */
    public static final long NO_ROUTE = -1;
    /** Route type: one of our own addresses (a /32). */
    public static final int LOCAL = 0;
    /** Route type: the network of an interface address; the next hop is the destination. */
    public static final int CONNECTED = 1;
    /** Route type: configured; the next hop is its gateway, or the destination for an on-link route. */
    public static final int STATIC = 2;

    private final InterfaceTable interfaces;
    private volatile FibSnapshot current = FibSnapshot.EMPTY;

    /** An empty table whose routes name interfaces of {@code interfaces}. */
    public Ip4Fib(InterfaceTable interfaces) {
        this.interfaces = Objects.requireNonNull(interfaces, "interfaces");
    }

    // ---------------------------------------------------------------------------------------------- data path

    /** Longest-prefix match of {@code destination}: a packed result, or {@link #NO_ROUTE}. Allocation-free. */
    public long lookup(int destination) {
        FibSnapshot s = current;
        int r = s.find(destination);
        if (r < 0) {
            return NO_ROUTE;
        }
        int hop = s.types[r] == STATIC && s.gateways[r] != 0 ? s.gateways[r] : destination;
        return pack(s.types[r], s.ifIndexes[r], hop);
    }

    /** The route type of a {@link #lookup} result ({@link #LOCAL}, {@link #CONNECTED}, {@link #STATIC}). */
    public static int type(long result) {
        return (int) (result >>> 48) & 0xff;
    }

    /** The outgoing interface of a {@link #lookup} result (for a local route: the interface holding the address). */
    public static int ifIndex(long result) {
        return (int) (result >>> 32) & 0xffff;
    }

    /** The next hop of a {@link #lookup} result: the gateway, or the destination itself. */
    public static int nextHop(long result) {
        return (int) result;
    }

    /** Whether {@code address} is one of our addresses, on any interface (weak host model). */
    public boolean isLocal(int address) {
        FibSnapshot s = current;
        int r = s.find(address);
        return r >= 0 && s.types[r] == LOCAL;
    }

    /** The interface holding local address {@code address}, or -1 when it is not ours. */
    public int interfaceOfLocal(int address) {
        FibSnapshot s = current;
        int r = s.find(address);
        return r >= 0 && s.types[r] == LOCAL ? s.ifIndexes[r] : -1;
    }

    /**
     * The source address for a datagram to {@code destination}: the address of the outgoing interface on the
     * network of the next hop (the destination itself when it is local), or 0 when there is no route.
     */
    public int sourceAddressFor(int destination) {
        FibSnapshot s = current;
        int r = s.find(destination);
        return r < 0 ? 0 : s.sources[r];
    }

    /**
     * Whether {@code address} is a broadcast address on {@code ifIndex}: the limited broadcast, or the directed
     * broadcast of a network of one of the interface's addresses (prefixes up to /30; /31 and /32 have none).
     */
    public boolean isBroadcast(int ifIndex, int address) {
        if (address == Ip4Address.LIMITED_BROADCAST) {
            return true;
        }
        FibSnapshot s = current;
        for (int i = 0; i < s.addressCount; i++) {
            if (s.addressIfIndexes[i] == ifIndex && s.addressLengths[i] <= 30
                    && (s.addresses[i] | ~Ip4Address.netmask(s.addressLengths[i])) == address) {
                return true;
            }
        }
        return false;
    }

    /** A number that changes with every change of the table (workers watch it to announce new addresses). */
    public long version() {
        return current.version;
    }

    /** Interface {@code ifIndex}'s addresses with their prefix lengths, in order added ({@code show interface}). */
    public List<Ip4Prefix> interfaceAddresses(int ifIndex) {
        List<Ip4Prefix> out = new ArrayList<>();
        for (InterfaceAddress a : current.addressList) {
            if (a.ifIndex() == ifIndex) {
                out.add(new Ip4Prefix(new Ip4Address(a.address()), a.length()));
            }
        }
        return out;
    }

    /** The interface addresses in the current version: {@code (ifIndex << 32) | address} each, in order added. */
    long[] interfaceAddressKeys() {
        FibSnapshot s = current;
        long[] keys = new long[s.addressCount];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = (long) s.addressIfIndexes[i] << 32 | (s.addresses[i] & 0xffff_ffffL);
        }
        return keys;
    }

    // ------------------------------------------------------------------------------------------ configuration

    /**
     * Adds {@code address} (host bits set: {@code 198.18.0.1/24}) to interface {@code ifIndex}: a local /32 route
     * and, below /32, a connected route for its network.
     *
     * @throws IllegalArgumentException for an unknown interface, an address that cannot be a host's (0, loopback,
     *     multicast, broadcast, the network or broadcast address of its prefix), an address already on an
     *     interface, or a network already routed
     */
    public synchronized void addInterfaceAddress(int ifIndex, Ip4Prefix prefix) {
        Interface itf = requireInterface(ifIndex, "address " + prefix);
        int address = prefix.address().bits();
        if (address == 0 || Ip4Address.isLoopback(address) || Ip4Address.isMulticast(address)
                || address == Ip4Address.LIMITED_BROADCAST) {
            throw new IllegalArgumentException("address " + prefix + " on " + itf.name()
                    + ": not a unicast host address");
        }
        if (prefix.length() <= 30 && (prefix.isNetwork() || prefix.broadcast().bits() == address)) {
            throw new IllegalArgumentException("address " + prefix + " on " + itf.name()
                    + ": the network or broadcast address of its prefix");
        }
        List<Route> routes = new ArrayList<>(current.routes);
        List<InterfaceAddress> addresses = new ArrayList<>(current.addressList);
        for (InterfaceAddress a : addresses) {
            if (a.address() == address) {
                throw new IllegalArgumentException("address " + prefix + " on " + itf.name() + ": "
                        + Ip4Address.format(address) + " is already on " + name(a.ifIndex()));
            }
        }
        Ip4Prefix network = prefix.network();
        Route local = new Route(address, 32, LOCAL, 0, ifIndex, address);
        requireNew(routes, local, "address " + prefix + " on " + itf.name());
        routes.add(local);
        if (prefix.length() < 32) {
            Route connected = new Route(network.address().bits(), prefix.length(), CONNECTED, 0, ifIndex, address);
            requireNew(routes, connected, "address " + prefix + " on " + itf.name());
            routes.add(connected);
        }
        addresses.add(new InterfaceAddress(ifIndex, address, prefix.length()));
        publish(routes, addresses);
    }

    /**
     * Removes an address added by {@link #addInterfaceAddress} with its local and connected routes.
     *
     * @throws IllegalArgumentException if the interface does not have that address, or a static route still
     *     goes through a gateway on its network
     */
    public synchronized void removeInterfaceAddress(int ifIndex, Ip4Prefix prefix) {
        int address = prefix.address().bits();
        List<InterfaceAddress> addresses = new ArrayList<>(current.addressList);
        InterfaceAddress wanted = new InterfaceAddress(ifIndex, address, prefix.length());
        if (!addresses.remove(wanted)) {
            throw new IllegalArgumentException("address " + prefix + " is not on " + name(ifIndex));
        }
        List<Route> routes = new ArrayList<>(current.routes);
        int network = address & prefix.netmask();
        routes.removeIf(r -> r.type == LOCAL && r.prefix == address
                || r.type == CONNECTED && r.ifIndex == ifIndex && r.length == prefix.length() && r.prefix == network);
        for (Route r : routes) {
            if (r.type == STATIC && r.gateway != 0 && sourceOn(addresses, r.ifIndex, r.gateway) == 0) {
                throw new IllegalArgumentException("address " + prefix + " on " + name(ifIndex)
                        + ": static route " + r.prefixText() + " via " + Ip4Address.format(r.gateway)
                        + " needs it; remove the route first");
            }
        }
        publish(routes, addresses);
    }

    /**
     * Adds a static route to {@code prefix} (no host bits) via {@code gateway} on {@code ifIndex}; gateway 0 makes
     * the prefix on-link (next hop: the destination).
     *
     * @throws IllegalArgumentException for an unknown interface, a prefix with host bits, a gateway that is not on
     *     a connected network of the interface, or a prefix already routed
     */
    public synchronized void addRoute(Ip4Prefix prefix, int gateway, int ifIndex) {
        String what = "route " + prefix + " via " + Ip4Address.format(gateway);
        Interface itf = requireInterface(ifIndex, what);
        if (!prefix.isNetwork()) {
            throw new IllegalArgumentException(what + ": prefix has host bits set (network is " + prefix.network()
                    + ")");
        }
        List<InterfaceAddress> addresses = current.addressList;
        int source = gateway == 0 ? firstAddressOf(addresses, ifIndex) : sourceOn(addresses, ifIndex, gateway);
        if (gateway != 0 && source == 0) {
            throw new IllegalArgumentException(what + ": gateway is not on a network of " + itf.name());
        }
        if (gateway != 0 && isLocalIn(current, gateway)) {
            throw new IllegalArgumentException(what + ": gateway is one of our own addresses");
        }
        List<Route> routes = new ArrayList<>(current.routes);
        Route route = new Route(prefix.address().bits(), prefix.length(), STATIC, gateway, ifIndex, source);
        requireNew(routes, route, what);
        routes.add(route);
        publish(routes, addresses);
    }

    /**
     * Removes the static route to {@code prefix}.
     *
     * @throws IllegalArgumentException if there is no static route to that prefix
     */
    public synchronized void removeRoute(Ip4Prefix prefix) {
        List<Route> routes = new ArrayList<>(current.routes);
        int bits = prefix.address().bits();
        if (!routes.removeIf(r -> r.type == STATIC && r.prefix == bits && r.length == prefix.length())) {
            throw new IllegalArgumentException("no static route to " + prefix);
        }
        publish(routes, current.addressList);
    }

    /** Every route, ordered by prefix then length, for {@code show ip fib}. Allocates. */
    public List<FibEntry> snapshot() {
        List<FibEntry> out = new ArrayList<>();
        for (Route r : current.routes) {
            String type = switch (r.type) {
                case LOCAL -> "local";
                case CONNECTED -> "connected";
                default -> "static";
            };
            Ip4Address hop = r.type == STATIC && r.gateway != 0 ? new Ip4Address(r.gateway) : null;
            out.add(new FibEntry(new Ip4Prefix(new Ip4Address(r.prefix), r.length), type, hop, r.ifIndex,
                    name(r.ifIndex)));
        }
        out.sort(Comparator.comparingLong((FibEntry e) -> e.prefix().address().bits() & 0xffff_ffffL)
                .thenComparingInt(e -> e.prefix().length()));
        return out;
    }

    /**
     * One route as {@code show ip fib} prints it.
     *
     * @param nextHop the gateway, or null when the next hop is the destination (local, connected, on-link)
     */
    public record FibEntry(Ip4Prefix prefix, String type, Ip4Address nextHop, int ifIndex, String interfaceName) {
        @Override
        public String toString() {
            return String.format("%-18s %-9s %-15s %s", prefix, type, nextHop == null ? "-" : nextHop,
                    interfaceName);
        }
    }

    // ---------------------------------------------------------------------------------------------- internals

    private Interface requireInterface(int ifIndex, String what) {
        Interface itf = interfaces.get(ifIndex);
        if (itf == null) {
            throw new IllegalArgumentException(what + ": no interface with index " + ifIndex + " (the stack has "
                    + interfaces.size() + ")");
        }
        return itf;
    }

    private String name(int ifIndex) {
        Interface itf = interfaces.get(ifIndex);
        return itf == null ? "interface " + ifIndex : itf.name();
    }

    private void requireNew(List<Route> routes, Route added, String what) {
        for (Route r : routes) {
            if (r.prefix == added.prefix && r.length == added.length) {
                throw new IllegalArgumentException(what + ": " + added.prefixText() + " is already routed ("
                        + typeName(r.type) + " on " + name(r.ifIndex) + ")");
            }
        }
    }

    private static String typeName(int type) {
        return type == LOCAL ? "local" : type == CONNECTED ? "connected" : "static";
    }

    /** The address of {@code ifIndex} whose network holds {@code address}, or 0. */
    private static int sourceOn(List<InterfaceAddress> addresses, int ifIndex, int address) {
        for (InterfaceAddress a : addresses) {
            if (a.ifIndex() == ifIndex && ((a.address() ^ address) & Ip4Address.netmask(a.length())) == 0) {
                return a.address();
            }
        }
        return 0;
    }

    private static int firstAddressOf(List<InterfaceAddress> addresses, int ifIndex) {
        for (InterfaceAddress a : addresses) {
            if (a.ifIndex() == ifIndex) {
                return a.address();
            }
        }
        return 0;
    }

    private static boolean isLocalIn(FibSnapshot s, int address) {
        int r = s.find(address);
        return r >= 0 && s.types[r] == LOCAL;
    }

    private void publish(List<Route> routes, List<InterfaceAddress> addresses) {
        // A static route's source address follows the interface's addresses, which may have changed.
        List<Route> fixed = new ArrayList<>(routes.size());
        for (Route r : routes) {
            int source = r.type != STATIC ? r.source
                    : r.gateway == 0 ? firstAddressOf(addresses, r.ifIndex) : sourceOn(addresses, r.ifIndex, r.gateway);
            fixed.add(source == r.source ? r : new Route(r.prefix, r.length, STATIC, r.gateway, r.ifIndex, source));
        }
        current = new FibSnapshot(fixed, addresses, current.version + 1);
    }

    private static long pack(int type, int ifIndex, int nextHop) {
        return (long) type << 48 | (long) ifIndex << 32 | (nextHop & 0xffff_ffffL);
    }

    /** One route; {@code source} is the address of {@code ifIndex} that datagrams taking the route come from. */
    record Route(int prefix, int length, int type, int gateway, int ifIndex, int source) {
        String prefixText() {
            return Ip4Address.format(prefix) + "/" + length;
        }
    }

    /** One interface address. */
    record InterfaceAddress(int ifIndex, int address, int length) { }
}
