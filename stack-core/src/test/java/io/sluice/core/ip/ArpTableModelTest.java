package io.sluice.core.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sluice.core.buffer.BufferPool;
import io.sluice.core.timer.TimerWheel;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random inserts (by miss, by learning, by configuration), merges and deletions against a {@link HashMap} model,
 * on a small table that fills up, with keys crowded into a small index so that probe runs are long and
 * backward-shift deletion is exercised across the wrap of the index. Seeded and bounded.
 */
class ArpTableModelTest {

    private record Key(int ifIndex, int ip) { }

    private record Value(int state, long mac) { }

    @Test
    void agreesWithAMapUnderRandomOperations() {
        for (long seed = 1; seed <= 20; seed++) {
            run(seed);
        }
    }

    private static void run(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int capacity = 1 + random.nextInt(40);
        TimerWheel wheel = TimerWheel.withDefaults(capacity, 0);
        RecordingEvents events = new RecordingEvents(null);
        ArpTable table = new ArpTable(ArpSettings.defaults(capacity), wheel, events);
        Map<Key, Value> model = new HashMap<>();
        Key[] keys = new Key[capacity * 3];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = new Key(random.nextInt(3), 0x0a00_0001 + random.nextInt(1 << 16));
        }
        for (int op = 0; op < 4000; op++) {
            Key k = keys[random.nextInt(keys.length)];
            Value v = model.get(k);
            long mac = 0x0200_0000_0000L | random.nextInt(1, 1000);
            String what = "seed " + seed + " op " + op + " " + k;
            switch (random.nextInt(5)) {
                case 0 -> {
                    long r = table.resolve(k.ifIndex(), k.ip(), BufferPool.NO_BUFFER, 0);
                    if (v == null) {
                        if (model.size() < capacity) {
                            assertEquals(ArpTable.PENDING_SEND_REQUEST, r, what);
                            model.put(k, new Value(ArpTable.INCOMPLETE, -1));
                        } else {
                            assertEquals(ArpTable.DROP_TABLE_FULL, r, what);
                        }
                    } else if (v.state() == ArpTable.INCOMPLETE) {
                        assertEquals(ArpTable.PENDING, r, what);
                    } else {
                        assertEquals(v.mac(), r, what);
                    }
                }
                case 1 -> {
                    boolean forUs = random.nextBoolean();
                    int r = table.learn(k.ifIndex(), k.ip(), mac, forUs, 0);
                    if (v == null) {
                        if (!forUs) {
                            assertEquals(ArpTable.LEARN_IGNORED, r, what);
                        } else if (model.size() < capacity) {
                            assertEquals(ArpTable.LEARN_CREATED, r, what);
                            model.put(k, new Value(ArpTable.REACHABLE, mac));
                        } else {
                            assertEquals(ArpTable.LEARN_TABLE_FULL, r, what);
                        }
                    } else if (v.state() == ArpTable.STATIC) {
                        assertEquals(ArpTable.LEARN_STATIC, r, what);
                    } else {
                        model.put(k, new Value(ArpTable.REACHABLE, mac));
                    }
                }
                case 2 -> {
                    if (v == null && model.size() == capacity) {
                        assertThrows(IllegalStateException.class,
                                () -> table.addStatic(k.ifIndex(), k.ip(), mac), what);
                    } else {
                        assertEquals(v == null, table.addStatic(k.ifIndex(), k.ip(), mac), what);
                        model.put(k, new Value(ArpTable.STATIC, mac));
                    }
                }
                default -> {
                    assertEquals(v != null, table.remove(k.ifIndex(), k.ip()), what);
                    model.remove(k);
                }
            }
            assertEquals(model.size(), table.size(), what);
            if (op % 50 == 0 || op > 3900) {
                for (Key each : keys) {
                    Value expected = model.get(each);
                    assertEquals(expected == null ? ArpTable.FREE : expected.state(),
                            table.state(each.ifIndex(), each.ip()), what + " checking " + each);
                    assertEquals(expected == null ? -1 : expected.mac(), table.macOf(each.ifIndex(), each.ip()),
                            what + " checking " + each);
                }
            }
        }
        assertEquals(table.snapshot(0).size(), model.size());
        // Timers: every dynamic entry has exactly one, static ones none.
        long dynamic = model.values().stream().filter(v -> v.state() != ArpTable.STATIC).count();
        assertEquals(dynamic, wheel.activeCount(), "seed " + seed);
    }
}
