package io.sluice.core.ip;

import io.sluice.core.buffer.BufferPool;
import io.sluice.core.graph.NodeContext;
import io.sluice.core.graph.NodeError;
import io.sluice.core.graph.PacketNode;
import io.sluice.core.iface.Interface;
import io.sluice.core.iface.InterfaceTable;
import io.sluice.core.wire.Ethernet;
import io.sluice.core.wire.MacAddress;
import io.sluice.core.wire.WireError;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * {@value #NAME}: the first protocol node of a received frame (its buffer's {@code rxInterface} set by the device
 * input). Checks the Ethernet header ({@link Ethernet#check}), accepts frames to the interface's MAC and broadcast,
 * moves the current data past the header and dispatches by EtherType: ARP to arp-input, IPv4 to ip4-input.
 * Everything else is dropped with a reason of its own: IPv6, VLAN-tagged frames and multicast are not handled yet;
 * frames to another host's MAC (a promiscuous device) are not ours.
 */
public final class EthernetInputNode extends PacketNode {

    /** The node's name. */
    public static final String NAME = "ethernet-input";

    static final int NEXT_ARP = 0;
    static final int NEXT_IP4 = 1;

    // Reasons 0..4 are WireError.ETHERNET_TOO_SHORT..ETHERNET_UNKNOWN_TYPE, in that order.
    static final int IPV6 = 5;
    static final int VLAN_TAGGED = 6;
    static final int MULTICAST = 7;
    static final int NOT_OUR_MAC = 8;
    static final int UNKNOWN_INTERFACE = 9;
    static final int INTERFACE_DOWN = 10;

    private static final List<NodeError> ERRORS = List.of(
            NodeError.ofWireError(WireError.ETHERNET_TOO_SHORT),
            NodeError.ofWireError(WireError.ETHERNET_BAD_SOURCE),
            NodeError.ofWireError(WireError.ETHERNET_STACKED_VLAN),
            NodeError.ofWireError(WireError.ETHERNET_LENGTH_FIELD),
            NodeError.ofWireError(WireError.ETHERNET_UNKNOWN_TYPE),
            new NodeError("ipv6-not-supported", "IPv6 frame (IPv6 not supported yet)"),
            new NodeError("vlan-tagged", "802.1Q-tagged frame (VLANs not supported yet)"),
            new NodeError("multicast", "multicast frame (multicast not supported yet)"),
            new NodeError("not-our-mac", "frame for another host's MAC address"),
            new NodeError("unknown-interface", "frame from an interface not in the interface table"),
            new NodeError("interface-down", "frame received on an interface that is down"));

    private final InterfaceTable interfaces;

    public EthernetInputNode(InterfaceTable interfaces) {
        super(NAME, List.of(ArpInputNode.NAME, Ip4InputNode.NAME), ERRORS);
        this.interfaces = interfaces;
    }

    @Override
    protected int handle(NodeContext ctx, BufferPool pool, MemorySegment mem, int b) {
        Interface itf = interfaces.get(pool.rxInterface(b));
        if (itf == null) {
            return UNKNOWN_INTERFACE;
        }
        if (!itf.isAdminUp()) {
            return INTERFACE_DOWN;
        }
        long off = pool.dataOffset(b);
        int error = Ethernet.check(mem, off, pool.currentLength(b));
        if (error != WireError.OK) {
            boolean ipv6 = error == WireError.ETHERNET_UNKNOWN_TYPE
                    && Ethernet.payloadType(mem, off) == Ethernet.TYPE_IPV6;
            return ipv6 ? IPV6 : error - WireError.ETHERNET_TOO_SHORT;
        }
        if (Ethernet.hasVlanTag(mem, off)) {
            return VLAN_TAGGED;
        }
        long destination = Ethernet.destination(mem, off);
        if (destination != itf.macAddress() && destination != MacAddress.BROADCAST) {
            return MacAddress.isMulticast(destination) ? MULTICAST : NOT_OUR_MAC;
        }
        int type = Ethernet.etherType(mem, off);
        pool.advance(b, Ethernet.HEADER_LENGTH);
        ctx.enqueue(type == Ethernet.TYPE_ARP ? NEXT_ARP : NEXT_IP4, b);
        return KEPT;
    }
}
