package io.sluice.core.ip;

import io.sluice.core.buffer.BufferPool;
import io.sluice.core.timer.ExpiryHandler;
import io.sluice.core.timer.TimerWheel;
import io.sluice.core.wire.Arp;
import io.sluice.core.wire.Ip4Address;
import io.sluice.core.wire.MacAddress;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The IPv4 neighbour table of one worker: ARP entries keyed by (interface index, IPv4 address), the packets waiting
 * for an unresolved neighbour, and the decisions the ARP nodes act on (send a request, transmit or drop queued
 * packets). The state model and policies are in the {@linkplain io.sluice.core.ip package documentation}.
 *
 * <p><b>Single-threaded.</b> A table belongs to one worker and is used only on its thread, like that worker's
 * {@link TimerWheel}. Nothing is synchronised, volatile or atomic.
 *
 * <p><b>Time is passed in</b> ({@code now}, nanoseconds on the worker's monotonic clock); timers live in the
 * worker's wheel, and the table is the {@link ExpiryHandler} for them (or the worker's own handler forwards the
 * expirations whose user data carries {@link ArpSettings#timerTag()} in its top byte to {@link #onExpired}).
 *
 * <p><b>Allocation-free data path.</b> {@link #resolve}, {@link #learn}, {@link #learnFrom} and {@link #onExpired}
 * allocate nothing and throw nothing: entries live in parallel primitive arrays allocated at construction, found by
 * an open-addressing hash index (linear probing, backward-shift deletion, so no tombstones) that holds entry
 * numbers; entry numbers never move, so a timer's user data can name one. Configuration methods
 * ({@link #addStatic}, {@link #remove}) throw {@link IllegalArgumentException} for bad values; {@link #snapshot}
 * allocates.
 */
public final class ArpTable implements ExpiryHandler {

    /** State of an entry not in use (also what {@link #state} answers for an unknown neighbour). */
    public static final int FREE = 0;
    /** Requests sent, no answer yet; packets queue. */
    public static final int INCOMPLETE = 1;
    /** Learned and confirmed within the reachable time. */
    public static final int REACHABLE = 2;
    /** Reachable time passed: still used, each use may ask for a unicast poll; removed after the stale time. */
    public static final int STALE = 3;
    /** Configured: never ages, never overwritten by learning. */
    public static final int STATIC = 4;

    /** {@link #resolve}: the packet is queued; nothing to send. */
    public static final long PENDING = -1;
    /** {@link #resolve}: the packet is queued (if one was given); broadcast an ARP request for the address now. */
    public static final long PENDING_SEND_REQUEST = -2;
    /** {@link #resolve}: the pending queue is full; the caller frees its packet ({@code arp-queue-full}). */
    public static final long DROP_QUEUE_FULL = -3;
    /** {@link #resolve}: no free entry; the caller frees its packet ({@link ArpDropReason#ARP_TABLE_FULL}). */
    public static final long DROP_TABLE_FULL = -4;
    /** {@link #resolve}: no free timer; the caller frees its packet ({@link ArpDropReason#ARP_NO_TIMER}). */
    public static final long DROP_NO_TIMER = -5;
    /** Set with a MAC in a {@link #resolve} result: also send a unicast request to that MAC (stale entry). */
    public static final long POLL = 1L << 48;
    /** The MAC bits of a non-negative {@link #resolve} result. */
    public static final long MAC_MASK = (1L << 48) - 1;

    /** {@link #learn}: not in the table and not addressed to us (RFC 826 merge rule): nothing learned. */
    public static final int LEARN_IGNORED = 0;
    /** {@link #learn}: a new entry was created. */
    public static final int LEARN_CREATED = 1;
    /** {@link #learn}: an existing entry got a (new) MAC or left INCOMPLETE or STALE. */
    public static final int LEARN_UPDATED = 2;
    /** {@link #learn}: a reachable entry was confirmed with the same MAC. */
    public static final int LEARN_CONFIRMED = 3;
    /** {@link #learn}: a static entry is kept as configured. */
    public static final int LEARN_STATIC = 4;
    /** {@link #learn}: sender address unusable (zero, multicast, broadcast IP; group or zero MAC); nothing learned. */
    public static final int LEARN_INVALID = 5;
    /** {@link #learn}: a new entry was wanted but the table is full. */
    public static final int LEARN_TABLE_FULL = 6;
    /** {@link #learn}: a new entry was wanted but the worker's wheel had no free timer. */
    public static final int LEARN_NO_TIMER = 7;
    /** {@link #learnFrom}: the sender claims our own address (RFC 5227 §2.4 conflict); nothing learned. */
    public static final int LEARN_CONFLICT = 8;

    private static final int GENERATION_MASK = 0xff_ffff;
    private static final int NONE = -1;
    private static final int NO_TIMER_FOR_ENTRY = -2;

    private final ArpSettings settings;
    private final TimerWheel wheel;
    private final NeighbourEvents events;
    private final int capacity;
    private final int pendingLimit;
    private final long timerTagBits;

    // Hash index: entry number + 1, 0 = empty; linear probing.
    private final int[] slots;
    private final int slotMask;

    // Entries, by entry number.
    private final int[] ifIndexes;
    private final int[] ips;
    private final long[] macs;
    private final byte[] states;
    private final int[] generations;
    private final int[] timers;
    private final int[] tries;
    private final long[] confirmedAt;
    private final long[] lastRequestAt;
    private final int[] pendingCounts;
    private final int[] pending;
    private final int[] nextFree;
    private int freeHead;
    private int size;

    private long hits;
    private long misses;
    private long requestsAsked;
    private long repliesLearned;
    private long pendingDrops;
    private long failures;
    private long failedPackets;
    private long tableFull;
    private long timerFailures;
    private long staticConflicts;
    private long addressConflicts;
    private long invalidSenders;
    private long staleTimers;

    /**
     * A table using {@code wheel} for its timers and reporting to {@code events}; both belong to the same worker.
     */
    public ArpTable(ArpSettings settings, TimerWheel wheel, NeighbourEvents events) {
        if (settings == null || wheel == null || events == null) {
            throw new IllegalArgumentException("ARP table needs settings, a timer wheel and events: " + settings
                    + ", " + wheel + ", " + events);
        }
        this.settings = settings;
        this.wheel = wheel;
        this.events = events;
        this.capacity = settings.capacity();
        this.pendingLimit = settings.pendingPerNeighbour();
        this.timerTagBits = (long) settings.timerTag() << 56;
        int slotCount = Integer.highestOneBit(Math.max(2, capacity * 2 - 1)) << 1;
        this.slots = new int[slotCount];
        this.slotMask = slotCount - 1;
        this.ifIndexes = new int[capacity];
        this.ips = new int[capacity];
        this.macs = new long[capacity];
        this.states = new byte[capacity];
        this.generations = new int[capacity];
        this.timers = new int[capacity];
        this.tries = new int[capacity];
        this.confirmedAt = new long[capacity];
        this.lastRequestAt = new long[capacity];
        this.pendingCounts = new int[capacity];
        this.pending = new int[capacity * pendingLimit];
        this.nextFree = new int[capacity];
        for (int e = 0; e < capacity; e++) {
            nextFree[e] = e + 1 < capacity ? e + 1 : NONE;
        }
        this.freeHead = 0;
    }

    // ---------------------------------------------------------------------------------------------- data path

    /**
     * Finds the MAC for sending to {@code ip} on {@code ifIndex} (ip4-rewrite's question). Returns either
     * <ul>
     * <li>a MAC ({@code result >= 0}; {@link #mac(long)}), possibly with {@link #POLL} set: send the packet to it,
     *     and if {@link #needsPoll(long)} also a unicast request (the entry is stale; RFC 1122 §2.3.2.1 unicast
     *     poll, at most once per retry interval); the caller keeps the packet;</li>
     * <li>{@link #PENDING_SEND_REQUEST}: the first miss; the packet is queued (the table owns it until
     *     {@link NeighbourEvents#transmit} or {@link NeighbourEvents#drop}) and the caller broadcasts a request;
     *     later requests come from the table's timer, one per retry interval;</li>
     * <li>{@link #PENDING}: the packet is queued behind an outstanding request;</li>
     * <li>{@link #DROP_QUEUE_FULL}, {@link #DROP_TABLE_FULL}, {@link #DROP_NO_TIMER}: not queued; the caller frees
     *     the packet and counts {@link #dropReason(long)}. A full queue drops the newest packet: the queue holds
     *     the oldest, which for TCP is the SYN or the first segment of a burst the peer needs first.</li>
     * </ul>
     * {@code bufferIndex} may be {@link BufferPool#NO_BUFFER} to start resolution without a packet.
     */
    public long resolve(int ifIndex, int ip, int bufferIndex, long now) {
        int slot = findSlot(ifIndex, ip);
        if (slot >= 0) {
            int e = slots[slot] - 1;
            int state = states[e];
            if (state == REACHABLE || state == STATIC) {
                hits++;
                return macs[e];
            }
            if (state == STALE) {
                hits++;
                if (now - lastRequestAt[e] >= settings.retryIntervalNanos()) {
                    lastRequestAt[e] = now;
                    requestsAsked++;
                    return macs[e] | POLL;
                }
                return macs[e];
            }
            misses++;
            return enqueue(e, bufferIndex) ? PENDING : DROP_QUEUE_FULL;
        }
        misses++;
        int e = create(~slot, ifIndex, ip, now + settings.retryIntervalNanos());
        if (e < 0) {
            return e == NONE ? DROP_TABLE_FULL : DROP_NO_TIMER;
        }
        states[e] = INCOMPLETE;
        tries[e] = 1;
        lastRequestAt[e] = now;
        confirmedAt[e] = now;
        requestsAsked++;
        enqueue(e, bufferIndex);
        return PENDING_SEND_REQUEST;
    }

    /**
     * Learns from a received ARP packet (arp-input), with the RFC 826 merge rule: if (ifIndex, senderIp) is in the
     * table its MAC is updated; otherwise an entry is created only when {@code targetIsUs} (the packet's target
     * protocol address is one of ours on {@code ifIndex}). Requests and replies are treated alike, so a request
     * for us teaches us its sender (saving the request we would send to answer it), and a gratuitous ARP (RFC 5227
     * §3 announcement: target address = sender address, so not us) updates an existing entry only.
     *
     * <p>A learned entry becomes {@link #REACHABLE} for the reachable time. An entry leaving {@link #INCOMPLETE}
     * hands its queued packets to {@link NeighbourEvents#transmit} in queue order before this returns. A
     * {@link #STATIC} entry is never changed (a different MAC is counted in {@link #staticConflicts()}): it was
     * configured to pin the neighbour, and letting any host on the link rewrite it would defeat that.
     *
     * @return one of the {@code LEARN_} codes
     */
    public int learn(int ifIndex, int senderIp, long senderMac, boolean targetIsUs, long now) {
        if (!usableIp(senderIp) || !usableMac(senderMac)) {
            invalidSenders++;
            return LEARN_INVALID;
        }
        int slot = findSlot(ifIndex, senderIp);
        if (slot >= 0) {
            int e = slots[slot] - 1;
            int state = states[e];
            if (state == STATIC) {
                if (macs[e] != senderMac) {
                    staticConflicts++;
                }
                return LEARN_STATIC;
            }
            boolean same = state == REACHABLE && macs[e] == senderMac;
            macs[e] = senderMac;
            becomeReachable(e, now);
            repliesLearned++;
            if (state == INCOMPLETE) {
                drainTransmit(e, senderMac);
            }
            return same ? LEARN_CONFIRMED : LEARN_UPDATED;
        }
        if (!targetIsUs) {
            return LEARN_IGNORED;
        }
        int e = create(~slot, ifIndex, senderIp, now + settings.reachableNanos());
        if (e < 0) {
            return e == NONE ? LEARN_TABLE_FULL : LEARN_NO_TIMER;
        }
        states[e] = REACHABLE;
        macs[e] = senderMac;
        confirmedAt[e] = now;
        lastRequestAt[e] = now;
        tries[e] = 0;
        repliesLearned++;
        return LEARN_CREATED;
    }

    /**
     * {@link #learn} from a checked ARP packet at {@code arpOffset} received on {@code ifIndex}, whose address
     * there is {@code localIp}. An ARP probe (sender address 0, RFC 5227 §2.1.1) teaches nothing; a sender
     * claiming {@code localIp} is an address conflict (RFC 5227 §2.4), counted and not learned, for the node to
     * defend or report.
     */
    public int learnFrom(int ifIndex, MemorySegment mem, long arpOffset, int localIp, long now) {
        int senderIp = Arp.senderIp(mem, arpOffset);
        if (senderIp == localIp && localIp != 0) {
            addressConflicts++;
            return LEARN_CONFLICT;
        }
        boolean targetIsUs = Arp.targetIp(mem, arpOffset) == localIp;
        return learn(ifIndex, senderIp, Arp.senderMac(mem, arpOffset), targetIsUs, now);
    }

    /**
     * Timer expiry for this table's entries (the worker passes the table, or forwards to it, from
     * {@link TimerWheel#advance}): an incomplete entry retransmits its broadcast request through
     * {@link NeighbourEvents#sendRequest} or, after {@link ArpSettings#maxRequests()} requests, fails and hands
     * every queued packet to {@link NeighbourEvents#drop} with {@link ArpDropReason#ARP_FAILED} (an ICMP host
     * unreachable, RFC 1122 §3.2.2.1, is for the caller to add later); a reachable entry becomes stale; a stale
     * entry is removed. Expirations that no longer match their entry are counted and ignored.
     */
    @Override
    public void onExpired(int handle, long userData) {
        int e = (int) userData;
        int generation = (int) (userData >>> 32) & GENERATION_MASK;
        if (e < 0 || e >= capacity || states[e] == FREE || generations[e] != generation || timers[e] != handle) {
            staleTimers++;
            return;
        }
        timers[e] = TimerWheel.NO_TIMER;
        long now = wheel.currentTime();
        switch (states[e]) {
            case INCOMPLETE -> {
                if (tries[e] < settings.maxRequests()) {
                    int timer = wheel.start(now + settings.retryIntervalNanos(), timerData(e));
                    if (timer != TimerWheel.NO_TIMER) {
                        timers[e] = timer;
                        tries[e]++;
                        lastRequestAt[e] = now;
                        requestsAsked++;
                        events.sendRequest(ifIndexes[e], ips[e], MacAddress.BROADCAST);
                        return;
                    }
                    timerFailures++;
                }
                failures++;
                failedPackets += pendingCounts[e];
                drainDrop(e, ArpDropReason.ARP_FAILED);
                removeEntry(e);
            }
            case REACHABLE -> {
                int timer = wheel.start(now + settings.staleNanos(), timerData(e));
                if (timer == TimerWheel.NO_TIMER) {
                    timerFailures++;
                    removeEntry(e);
                } else {
                    timers[e] = timer;
                    states[e] = STALE;
                }
            }
            default -> removeEntry(e);
        }
    }

    // ---------------------------------------------------------------------------------------- configuration

    /**
     * Adds or replaces a static entry (configuration, CLI). A dynamic entry for the same neighbour is replaced;
     * packets it held are transmitted to {@code mac}.
     *
     * @return whether a new entry was created
     * @throws IllegalArgumentException for a negative interface, an IP that is zero, multicast or broadcast, or a
     *     MAC that is zero, a group address or wider than 48 bits
     * @throws IllegalStateException when the table is full
     */
    public boolean addStatic(int ifIndex, int ip, long mac) {
        if (ifIndex < 0) {
            throw new IllegalArgumentException("static ARP entry: interface index " + ifIndex + " is negative");
        }
        if (!usableIp(ip)) {
            throw new IllegalArgumentException("static ARP entry: " + Ip4Address.format(ip)
                    + " is not a unicast neighbour address");
        }
        if ((mac & ~MAC_MASK) != 0 || !usableMac(mac)) {
            throw new IllegalArgumentException("static ARP entry for " + Ip4Address.format(ip) + ": MAC 0x"
                    + Long.toHexString(mac) + " is not a unicast 48-bit address");
        }
        int slot = findSlot(ifIndex, ip);
        if (slot >= 0) {
            int e = slots[slot] - 1;
            int state = states[e];
            stopTimer(e);
            states[e] = STATIC;
            macs[e] = mac;
            tries[e] = 0;
            if (state == INCOMPLETE) {
                drainTransmit(e, mac);
            }
            return false;
        }
        int e = allocate(~slot, ifIndex, ip);
        if (e == NONE) {
            tableFull++;
            throw new IllegalStateException("ARP table full (" + capacity + " entries): cannot add "
                    + Ip4Address.format(ip) + " on interface " + ifIndex);
        }
        states[e] = STATIC;
        macs[e] = mac;
        tries[e] = 0;
        return true;
    }

    /**
     * Removes the entry for ({@code ifIndex}, {@code ip}), static or not; queued packets go to
     * {@link NeighbourEvents#drop} with {@link ArpDropReason#ARP_ENTRY_REMOVED}.
     *
     * @return whether there was such an entry
     */
    public boolean remove(int ifIndex, int ip) {
        int slot = findSlot(ifIndex, ip);
        if (slot < 0) {
            return false;
        }
        int e = slots[slot] - 1;
        drainDrop(e, ArpDropReason.ARP_ENTRY_REMOVED);
        removeEntry(e);
        return true;
    }

    // -------------------------------------------------------------------------------------------- inspection

    /** The state of ({@code ifIndex}, {@code ip}), or {@link #FREE} when there is no entry. */
    public int state(int ifIndex, int ip) {
        int slot = findSlot(ifIndex, ip);
        return slot >= 0 ? states[slots[slot] - 1] : FREE;
    }

    /** The MAC of a resolved entry, or -1 when absent or incomplete. Does not count a hit. */
    public long macOf(int ifIndex, int ip) {
        int slot = findSlot(ifIndex, ip);
        if (slot < 0) {
            return -1;
        }
        int e = slots[slot] - 1;
        return states[e] == INCOMPLETE ? -1 : macs[e];
    }

    /** Packets queued for ({@code ifIndex}, {@code ip}). */
    public int pendingCount(int ifIndex, int ip) {
        int slot = findSlot(ifIndex, ip);
        return slot >= 0 ? pendingCounts[slots[slot] - 1] : 0;
    }

    /** Copies of every entry, ordered by interface and address, for {@code show ip arp}. Allocates. */
    public List<ArpEntry> snapshot(long now) {
        List<ArpEntry> list = new ArrayList<>(size);
        for (int e = 0; e < capacity; e++) {
            if (states[e] != FREE) {
                list.add(new ArpEntry(ifIndexes[e], new Ip4Address(ips[e]),
                        states[e] == INCOMPLETE ? null : new MacAddress(macs[e]), stateName(states[e]),
                        states[e] == STATIC ? 0 : now - confirmedAt[e], pendingCounts[e], tries[e]));
            }
        }
        list.sort(Comparator.comparingInt(ArpEntry::ifIndex)
                .thenComparing(entry -> Integer.toUnsignedLong(entry.ip().bits())));
        return list;
    }

    /** The name of a state constant. */
    public static String stateName(int state) {
        return switch (state) {
            case FREE -> "free";
            case INCOMPLETE -> "incomplete";
            case REACHABLE -> "reachable";
            case STALE -> "stale";
            case STATIC -> "static";
            default -> "unknown(" + state + ")";
        };
    }

    /** The MAC of a non-negative {@link #resolve} result. */
    public static long mac(long result) {
        return result & MAC_MASK;
    }

    /** Whether a {@link #resolve} result is a MAC (the packet can go now). */
    public static boolean isResolved(long result) {
        return result >= 0;
    }

    /** Whether a {@link #resolve} result asks for a unicast poll of a stale entry. */
    public static boolean needsPoll(long result) {
        return result >= 0 && (result & POLL) != 0;
    }

    /** The drop reason of a {@code DROP_} result of {@link #resolve}, or {@code null} for any other result. */
    public static ArpDropReason dropReason(long result) {
        if (result == DROP_QUEUE_FULL) {
            return ArpDropReason.ARP_QUEUE_FULL;
        }
        if (result == DROP_TABLE_FULL) {
            return ArpDropReason.ARP_TABLE_FULL;
        }
        if (result == DROP_NO_TIMER) {
            return ArpDropReason.ARP_NO_TIMER;
        }
        return null;
    }

    /** The settings. */
    public ArpSettings settings() {
        return settings;
    }

    /** Entries that can exist at once. */
    public int capacity() {
        return capacity;
    }

    /** Entries in use, all states. */
    public int size() {
        return size;
    }

    /** {@link #resolve} calls answered with a MAC. */
    public long hits() {
        return hits;
    }

    /** {@link #resolve} calls that found no resolved entry. */
    public long misses() {
        return misses;
    }

    /** ARP requests the table asked for: first misses, retransmissions and unicast polls. */
    public long requestsAsked() {
        return requestsAsked;
    }

    /** ARP packets that created, updated or confirmed an entry. */
    public long repliesLearned() {
        return repliesLearned;
    }

    /** Packets refused because a pending queue was full. */
    public long pendingDrops() {
        return pendingDrops;
    }

    /** Neighbours that failed to answer. */
    public long failures() {
        return failures;
    }

    /** Queued packets handed back because their neighbour failed ({@code arp-failed}). */
    public long failedPackets() {
        return failedPackets;
    }

    /** Times a new entry was wanted and none was free. */
    public long tableFull() {
        return tableFull;
    }

    /** Times the worker's wheel had no free timer. */
    public long timerFailures() {
        return timerFailures;
    }

    /** ARP packets that would have changed a static entry's MAC. */
    public long staticConflicts() {
        return staticConflicts;
    }

    /** ARP packets whose sender claimed our own address. */
    public long addressConflicts() {
        return addressConflicts;
    }

    /** ARP packets with an unusable sender address. */
    public long invalidSenders() {
        return invalidSenders;
    }

    /** Timer expirations that no longer matched their entry. */
    public long staleTimers() {
        return staleTimers;
    }

    // ------------------------------------------------------------------------------------------------ inside

    private void becomeReachable(int e, long now) {
        states[e] = REACHABLE;
        confirmedAt[e] = now;
        tries[e] = 0;
        long deadline = now + settings.reachableNanos();
        if (timers[e] == TimerWheel.NO_TIMER || !wheel.update(timers[e], deadline)) {
            timers[e] = wheel.start(deadline, timerData(e));
            if (timers[e] == TimerWheel.NO_TIMER) {
                timerFailures++;
            }
        }
    }

    private boolean enqueue(int e, int bufferIndex) {
        if (bufferIndex == BufferPool.NO_BUFFER) {
            return true;
        }
        int count = pendingCounts[e];
        if (count == pendingLimit) {
            pendingDrops++;
            return false;
        }
        pending[e * pendingLimit + count] = bufferIndex;
        pendingCounts[e] = count + 1;
        return true;
    }

    private void drainTransmit(int e, long mac) {
        int count = pendingCounts[e];
        pendingCounts[e] = 0;
        int base = e * pendingLimit;
        for (int i = 0; i < count; i++) {
            events.transmit(ifIndexes[e], pending[base + i], mac);
        }
    }

    private void drainDrop(int e, ArpDropReason reason) {
        int count = pendingCounts[e];
        pendingCounts[e] = 0;
        int base = e * pendingLimit;
        for (int i = 0; i < count; i++) {
            events.drop(ifIndexes[e], pending[base + i], reason);
        }
    }

    private void stopTimer(int e) {
        if (timers[e] != TimerWheel.NO_TIMER) {
            wheel.stop(timers[e]);
            timers[e] = TimerWheel.NO_TIMER;
        }
    }

    /** Removes entry {@code e} (its queue already drained). */
    private void removeEntry(int e) {
        stopTimer(e);
        release(e);
    }

    private long timerData(int e) {
        return timerTagBits | ((long) generations[e] << 32) | e;
    }

    private static int hash(int ifIndex, int ip) {
        int h = ip * 0x9E3779B9 ^ ifIndex * 0x85EBCA6B;
        return h ^ (h >>> 15);
    }

    /** The slot holding the key, or {@code ~slot} of the empty slot where it would go. */
    private int findSlot(int ifIndex, int ip) {
        int i = hash(ifIndex, ip) & slotMask;
        while (true) {
            int v = slots[i];
            if (v == 0) {
                return ~i;
            }
            int e = v - 1;
            if (ips[e] == ip && ifIndexes[e] == ifIndex) {
                return i;
            }
            i = (i + 1) & slotMask;
        }
    }

    /**
     * A new entry in empty slot {@code slot} with its timer started, or {@link #NONE} when the table is full or
     * {@link #NO_TIMER_FOR_ENTRY} when the wheel is (each counted).
     */
    private int create(int slot, int ifIndex, int ip, long deadline) {
        int e = allocate(slot, ifIndex, ip);
        if (e == NONE) {
            tableFull++;
            return NONE;
        }
        int timer = wheel.start(deadline, timerData(e));
        if (timer == TimerWheel.NO_TIMER) {
            timerFailures++;
            release(e);
            return NO_TIMER_FOR_ENTRY;
        }
        timers[e] = timer;
        return e;
    }

    /** Takes a free entry for the key and puts it in empty slot {@code slot}; NONE when full. */
    private int allocate(int slot, int ifIndex, int ip) {
        int e = freeHead;
        if (e == NONE) {
            return NONE;
        }
        freeHead = nextFree[e];
        ifIndexes[e] = ifIndex;
        ips[e] = ip;
        macs[e] = 0;
        pendingCounts[e] = 0;
        timers[e] = TimerWheel.NO_TIMER;
        slots[slot] = e + 1;
        size++;
        return e;
    }

    /** Takes entry {@code e} out of the hash index (if there) and returns it to the free list. */
    private void release(int e) {
        int slot = findSlot(ifIndexes[e], ips[e]);
        if (slot >= 0) {
            removeAt(slot);
        }
        states[e] = FREE;
        pendingCounts[e] = 0;
        generations[e] = (generations[e] + 1) & GENERATION_MASK;
        nextFree[e] = freeHead;
        freeHead = e;
        size--;
    }

    /**
     * Empties {@code slot} and shifts later entries of the probe run back over the hole (Knuth's algorithm R for
     * linear probing), so lookups stay correct without tombstones.
     */
    private void removeAt(int slot) {
        int hole = slot;
        slots[hole] = 0;
        int j = hole;
        while (true) {
            j = (j + 1) & slotMask;
            int v = slots[j];
            if (v == 0) {
                return;
            }
            int home = hash(ifIndexes[v - 1], ips[v - 1]) & slotMask;
            // Move v into the hole unless its home lies cyclically in (hole, j].
            boolean stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
            if (!stays) {
                slots[hole] = v;
                slots[j] = 0;
                hole = j;
            }
        }
    }

    private static boolean usableIp(int ip) {
        return ip != 0 && ip != Ip4Address.LIMITED_BROADCAST && !Ip4Address.isMulticast(ip);
    }

    private static boolean usableMac(long mac) {
        return mac != 0 && !MacAddress.isMulticast(mac);
    }
}
