package io.sluice.core.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.iface.InterfaceTable;
import io.sluice.core.phy.LoopbackDevice;
import io.sluice.core.util.AllocationMeter;
import io.sluice.core.wire.Ip4Address;
import io.sluice.core.wire.Ip4Prefix;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class Ip4FibTest {

    private final InterfaceTable interfaces = new InterfaceTable();
    private final Ip4Fib fib = new Ip4Fib(interfaces);

    Ip4FibTest() {
        interfaces.add(new LoopbackDevice("tap0", 0x0200_0000_0001L, 1500, 64));
        interfaces.add(new LoopbackDevice("tap1", 0x0200_0000_0002L, 1500, 64));
    }

    private static int ip(String text) {
        return Ip4Address.parse(text).bits();
    }

    private static Ip4Prefix p(String text) {
        return Ip4Prefix.parse(text);
    }

    @Test
    void interfaceAddressInstallsLocalAndConnectedRoutes() {
        fib.addInterfaceAddress(0, p("198.18.0.2/24"));
        long local = fib.lookup(ip("198.18.0.2"));
        assertEquals(Ip4Fib.LOCAL, Ip4Fib.type(local));
        assertEquals(0, Ip4Fib.ifIndex(local));
        long connected = fib.lookup(ip("198.18.0.77"));
        assertEquals(Ip4Fib.CONNECTED, Ip4Fib.type(connected));
        assertEquals(ip("198.18.0.77"), Ip4Fib.nextHop(connected));
        assertEquals(Ip4Fib.NO_ROUTE, fib.lookup(ip("198.18.1.1")));
        assertTrue(fib.isLocal(ip("198.18.0.2")));
        assertFalse(fib.isLocal(ip("198.18.0.3")));
        assertEquals(0, fib.interfaceOfLocal(ip("198.18.0.2")));
        assertEquals(-1, fib.interfaceOfLocal(ip("198.18.0.3")));
        assertEquals(ip("198.18.0.2"), fib.sourceAddressFor(ip("198.18.0.9")));
        assertEquals(0, fib.sourceAddressFor(ip("10.0.0.1")));
        assertTrue(fib.isBroadcast(0, ip("198.18.0.255")));
        assertTrue(fib.isBroadcast(0, 0xffff_ffff));
        assertFalse(fib.isBroadcast(1, ip("198.18.0.255")));
        assertFalse(fib.isBroadcast(0, ip("198.18.0.254")));
    }

    @Test
    void staticRoutesUseTheGatewayAndLongestPrefixWins() {
        fib.addInterfaceAddress(0, p("198.18.0.2/24"));
        fib.addInterfaceAddress(1, p("198.19.0.2/16"));
        fib.addRoute(p("0.0.0.0/0"), ip("198.18.0.1"), 0);
        fib.addRoute(p("10.0.0.0/8"), ip("198.19.0.1"), 1);
        fib.addRoute(p("10.1.0.0/16"), 0, 1);
        long viaDefault = fib.lookup(ip("8.8.8.8"));
        assertEquals(Ip4Fib.STATIC, Ip4Fib.type(viaDefault));
        assertEquals(ip("198.18.0.1"), Ip4Fib.nextHop(viaDefault));
        assertEquals(0, Ip4Fib.ifIndex(viaDefault));
        long via10 = fib.lookup(ip("10.2.3.4"));
        assertEquals(ip("198.19.0.1"), Ip4Fib.nextHop(via10));
        assertEquals(1, Ip4Fib.ifIndex(via10));
        long onLink = fib.lookup(ip("10.1.3.4"));
        assertEquals(ip("10.1.3.4"), Ip4Fib.nextHop(onLink));
        assertEquals(ip("198.19.0.2"), fib.sourceAddressFor(ip("10.1.3.4")));
        assertEquals(ip("198.18.0.2"), fib.sourceAddressFor(ip("8.8.8.8")));
        assertEquals(Ip4Fib.CONNECTED, Ip4Fib.type(fib.lookup(ip("198.19.200.1"))));
        fib.removeRoute(p("10.0.0.0/8"));
        assertEquals(0, Ip4Fib.ifIndex(fib.lookup(ip("10.2.3.4"))), "falls back to the default route");
        assertEquals(List.of("0.0.0.0/0 static 198.18.0.1 tap0", "10.1.0.0/16 static - tap1",
                "198.18.0.0/24 connected - tap0", "198.18.0.2/32 local - tap0", "198.19.0.0/16 connected - tap1",
                "198.19.0.2/32 local - tap1"),
                fib.snapshot().stream().map(e -> e.toString().replaceAll(" +", " ")).toList());
    }

    @Test
    void badConfigurationIsRefusedNamingTheThing() {
        fib.addInterfaceAddress(0, p("198.18.0.2/24"));
        assertMessage("no interface with index 7", () -> fib.addInterfaceAddress(7, p("198.20.0.1/24")));
        assertMessage("198.18.0.2 is already on tap0", () -> fib.addInterfaceAddress(1, p("198.18.0.2/16")));
        assertMessage("198.18.0.0/24 is already routed (connected on tap0)",
                () -> fib.addInterfaceAddress(1, p("198.18.0.3/24")));
        assertMessage("network or broadcast", () -> fib.addInterfaceAddress(1, p("198.19.0.0/24")));
        assertMessage("network or broadcast", () -> fib.addInterfaceAddress(1, p("198.19.0.255/24")));
        assertMessage("not a unicast host address", () -> fib.addInterfaceAddress(1, p("224.0.0.1/24")));
        assertMessage("not a unicast host address", () -> fib.addInterfaceAddress(1, p("127.0.0.1/8")));
        assertMessage("gateway is not on a network of tap1", () -> fib.addRoute(p("10.0.0.0/8"), ip("198.18.0.1"),
                1));
        assertMessage("host bits set", () -> fib.addRoute(p("10.0.0.1/8"), ip("198.18.0.1"), 0));
        assertMessage("gateway is one of our own addresses",
                () -> fib.addRoute(p("10.0.0.0/8"), ip("198.18.0.2"), 0));
        fib.addRoute(p("10.0.0.0/8"), ip("198.18.0.1"), 0);
        assertMessage("10.0.0.0/8 is already routed (static on tap0)",
                () -> fib.addRoute(p("10.0.0.0/8"), ip("198.18.0.3"), 0));
        assertMessage("no static route to 10.9.0.0/16", () -> fib.removeRoute(p("10.9.0.0/16")));
        assertMessage("needs it; remove the route first", () -> fib.removeInterfaceAddress(0, p("198.18.0.2/24")));
        assertMessage("is not on tap1", () -> fib.removeInterfaceAddress(1, p("198.18.0.2/24")));
        fib.removeRoute(p("10.0.0.0/8"));
        long version = fib.version();
        fib.removeInterfaceAddress(0, p("198.18.0.2/24"));
        assertNotEquals(version, fib.version());
        assertEquals(List.of(), fib.snapshot());
        assertFalse(fib.isLocal(ip("198.18.0.2")));
    }

    @Test
    void staticRouteSourceFollowsTheInterfaceAddresses() {
        fib.addInterfaceAddress(0, p("198.18.0.2/24"));
        fib.addInterfaceAddress(0, p("198.18.0.3/25"));
        fib.addRoute(p("10.0.0.0/8"), ip("198.18.0.1"), 0);
        assertEquals(ip("198.18.0.2"), fib.sourceAddressFor(ip("10.0.0.1")));
        fib.removeInterfaceAddress(0, p("198.18.0.2/24"));
        assertEquals(ip("198.18.0.3"), fib.sourceAddressFor(ip("10.0.0.1")));
    }

    private static void assertMessage(String part, org.junit.jupiter.api.function.Executable action) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }

    /** Random routes against a brute-force longest match over the same list. */
    @Test
    void longestPrefixMatchAgreesWithBruteForce() {
        SplittableRandom random = new SplittableRandom(23);
        for (int round = 0; round < 20; round++) {
            InterfaceTable table = new InterfaceTable();
            table.add(new LoopbackDevice("tap0", 0x0200_0000_0001L, 1500, 64));
            Ip4Fib model = new Ip4Fib(table);
            model.addInterfaceAddress(0, p("198.18.0.2/15"));
            List<int[]> routes = new ArrayList<>(); // prefix, length, gateway
            routes.add(new int[] {ip("198.18.0.2"), 32, 0});
            routes.add(new int[] {ip("198.18.0.0"), 15, 0});
            for (int i = 0; i < 300; i++) {
                int length = random.nextInt(33);
                // Cluster prefixes under a few tops so that they nest.
                int address = (random.nextInt(4) << 30) | random.nextInt() >>> 2;
                int network = address & Ip4Address.netmask(length);
                if (Ip4Address.isMulticast(network) && length >= 4) {
                    continue;
                }
                int gateway = 0xc612_0000 | 3 + random.nextInt(1000);
                try {
                    model.addRoute(new Ip4Prefix(new Ip4Address(network), length), gateway, 0);
                    routes.add(new int[] {network, length, gateway});
                } catch (IllegalArgumentException duplicate) {
                    assertTrue(duplicate.getMessage().contains("already routed"), duplicate.getMessage());
                }
            }
            for (int q = 0; q < 5000; q++) {
                int[] some = routes.get(random.nextInt(routes.size()));
                int destination = q % 2 == 0 ? random.nextInt() : some[0] ^ random.nextInt(1 << random.nextInt(31));
                int[] best = null;
                for (int[] r : routes) {
                    if (((destination ^ r[0]) & Ip4Address.netmask(r[1])) == 0 && (best == null || r[1] > best[1])) {
                        best = r;
                    }
                }
                long result = model.lookup(destination);
                if (best == null) {
                    assertEquals(Ip4Fib.NO_ROUTE, result, Ip4Address.format(destination));
                } else {
                    int hop = best[2] == 0 ? destination : best[2];
                    assertEquals(hop, Ip4Fib.nextHop(result), Ip4Address.format(destination));
                }
            }
        }
    }

    /** A worker reading while the control thread rewrites a route sees either version whole, never a mix. */
    @Test
    void readersSeeWholeVersionsWhileTheControlThreadWrites() throws InterruptedException {
        fib.addInterfaceAddress(0, p("198.18.0.2/24"));
        fib.addInterfaceAddress(1, p("198.19.0.2/24"));
        int g0 = ip("198.18.0.1");
        int g1 = ip("198.19.0.1");
        AtomicReference<String> mixed = new AtomicReference<>();
        AtomicBoolean stop = new AtomicBoolean();
        Thread reader = new Thread(() -> {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!stop.get() && System.nanoTime() < deadline) {
                long r = fib.lookup(ip("10.1.2.3"));
                boolean whole = r == Ip4Fib.NO_ROUTE || Ip4Fib.ifIndex(r) == 0 && Ip4Fib.nextHop(r) == g0
                        || Ip4Fib.ifIndex(r) == 1 && Ip4Fib.nextHop(r) == g1;
                if (!whole) {
                    mixed.set(Long.toHexString(r));
                    return;
                }
            }
        }, "fib-reader");
        reader.start();
        for (int i = 0; i < 2000; i++) {
            fib.addRoute(p("10.0.0.0/8"), i % 2 == 0 ? g0 : g1, i % 2);
            fib.removeRoute(p("10.0.0.0/8"));
        }
        stop.set(true);
        reader.join(10_000);
        assertFalse(reader.isAlive());
        assertNull(mixed.get(), "a lookup mixing two versions");
    }

    @Test
    void lookupsAllocateNothing() {
        fib.addInterfaceAddress(0, p("198.18.0.2/24"));
        fib.addInterfaceAddress(1, p("198.19.0.2/16"));
        fib.addRoute(p("0.0.0.0/0"), ip("198.18.0.1"), 0);
        fib.addRoute(p("10.0.0.0/8"), ip("198.19.0.1"), 1);
        long[] sink = {0};
        long bytes = AllocationMeter.allocatedInSteadyState(() -> {
            for (int i = 0; i < 100_000; i++) {
                int destination = 0x0a00_0000 + i * 7919;
                sink[0] += fib.lookup(destination) + fib.sourceAddressFor(destination)
                        + (fib.isLocal(destination) ? 1 : 0) + (fib.isBroadcast(0, destination) ? 1 : 0);
            }
        });
        assertEquals(0, bytes, "bytes allocated by FIB lookups");
        assertNotEquals(0, sink[0]);
    }
}
