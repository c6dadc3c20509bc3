/**
 * IPv4 for a host: the graph nodes between the engine's device nodes and the transport nodes
 * ({@link io.sluice.core.ip.EthernetInputNode ethernet-input}, {@link io.sluice.core.ip.ArpInputNode arp-input},
 * {@link io.sluice.core.ip.Ip4InputNode ip4-input}, {@link io.sluice.core.ip.Ip4OutputNode ip4-output},
 * {@link io.sluice.core.ip.Ip4NeighbourNode ip4-neighbour}), added to a worker's graph by
 * {@link io.sluice.core.ip.Ip4Layer}; the routing table shared by all workers ({@link io.sluice.core.ip.Ip4Fib});
 * and the per-worker ARP table ({@link io.sluice.core.ip.ArpTable}) described below. The design and its reasons
 * (host not router, fragments dropped, TTL, FIB structure) are in ARCHITECTURE.md, "IPv4 layer".
 *
 * <p>The ARP table decides; the nodes act: it answers a MAC or says "queued, send a request", and reports later
 * decisions (transmit the queued packets, drop them, retransmit a request) through one
 * {@link io.sluice.core.ip.NeighbourEvents} per worker ({@link io.sluice.core.ip.Ip4Neighbours}, which queues
 * them for a node to flush). It builds no packets (that is {@link io.sluice.core.wire.Arp}) and frees none, so it
 * needs no graph API. The ideas follow VPP's ip-neighbor and smoltcp's neighbor cache; the code is our own.
 *
 * <h2>One table per worker</h2>
 * Like the timer wheel, a table is used on its worker's thread only. Each worker learns on its own: an ARP reply
 * is seen by the worker that receives it, so a neighbour may be resolved on one worker and still pending on
 * another until that one's own request is answered (VPP shares one table and has the main thread write it;
 * sharing, if wanted, will come with the handoff queues).
 *
 * <h2>States</h2>
 * <pre>
 *               resolve miss (request asked, packet queued)
 *   (none) ──────────────────────────────────────────────► INCOMPLETE ──maxRequests unanswered──► (none)
 *     │                                                        │            queued packets dropped: arp-failed
 *     │ ARP for us from a stranger (RFC 826 merge rule)        │ any ARP from it: queued packets transmitted
 *     ▼                                                        ▼
 *  REACHABLE ◄───────────── any ARP from it (confirmation) ─ STALE ──staleNanos unconfirmed──► (none)
 *     │                                                        ▲
 *     └──────────── reachableNanos since the last confirmation ┘
 *
 *  STATIC: configured; never ages, never changed by learning; only removed by configuration.
 * </pre>
 * <ul>
 * <li><b>Requests and the flooding limit</b> (RFC 1122 §2.3.2.1): the first miss returns
 *     {@code PENDING_SEND_REQUEST}; further misses only queue. The entry's timer retransmits once per
 *     {@code retryIntervalNanos} (at least 1 s) up to {@code maxRequests} requests, then the entry fails and its
 *     packets are dropped as {@code arp-failed}. An ICMP host unreachable for them (RFC 1122 §3.2.2.1) is not
 *     generated yet.</li>
 * <li><b>Queueing</b> (RFC 1122 §2.3.2.2 asks for at least one packet per unresolved address): up to
 *     {@code pendingPerNeighbour} packets (default 4) wait, in order. When full the <em>newest</em> is refused
 *     ({@code DROP_QUEUE_FULL}, the caller still owns and frees it): the oldest are usually what the peer needs
 *     first (a SYN), and refusing the packet in hand needs no second result.</li>
 * <li><b>Learning</b> (RFC 826 "Packet Reception"): requests and replies alike; an existing entry takes the
 *     sender's MAC whoever the target is (this is how a gratuitous ARP, RFC 5227 §3, updates a cache); a new entry
 *     is created only when we are the target. Senders with address 0 (RFC 5227 probes), multicast or broadcast
 *     addresses, or group MACs teach nothing. A sender claiming our address is an RFC 5227 §2.4 conflict, counted
 *     and not learned.</li>
 * <li><b>Ageing</b> (RFC 1122 §2.3.2.1 offers timeout and unicast poll; both are used): a learned entry is
 *     REACHABLE for {@code reachableNanos} (default 5 min) after its last confirmation, whether used or not (use
 *     does not refresh it: only the neighbour's own ARP proves it is still there). It then turns STALE: still
 *     used, and a use at most once per retry interval asks the caller for a unicast request to the known MAC;
 *     an answer makes it REACHABLE again, silence removes it after {@code staleNanos} (default 60 s).</li>
 * <li><b>Static entries</b> win: learning never changes them (a different MAC is counted as a static conflict),
 *     since an operator pins a neighbour precisely so that the link cannot redirect it.</li>
 * </ul>
 *
 * <h2>Memory</h2>
 * Entries are parallel primitive arrays with a free list; an open-addressing index (power-of-two size at least
 * twice the capacity, linear probing, backward-shift deletion) maps (interface, address) to entry numbers.
 * Entry numbers never move, so a timer's user data is the entry number and a 24-bit generation (bumped on
 * reuse), with {@code timerTag} in the top byte. A full table is the result {@code DROP_TABLE_FULL} /
 * {@code LEARN_TABLE_FULL}, counted. The pending queues are one {@code int[capacity * pendingPerNeighbour]}.
 */
package io.sluice.core.ip;
