package io.sluice.session.attach;

import java.security.MessageDigest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Application namespaces and their secrets: an application attaches to a namespace only with its secret. The
 * default namespace ({@value #DEFAULT}, also named by an empty id) always exists and needs no secret.
 */
public final class NamespaceTable {

    /** The namespace an application is in when it names none. */
    public static final String DEFAULT = "default";

    private final Map<String, Long> secrets = new ConcurrentHashMap<>();

    /**
     * Adds a namespace, or changes its secret.
     *
     * @param id the namespace's name, 1 to {@link AttachCodec#MAX_NAMESPACE_BYTES} bytes, not the default's
     * @param secret what applications must present (any 64-bit value)
     */
    public void add(String id, long secret) {
        if (id.isEmpty() || id.equals(DEFAULT)) {
            throw new IllegalArgumentException("the default namespace has no secret; name another namespace");
        }
        secrets.put(id, secret);
    }

    /** Removes a namespace; applications already in it stay attached. */
    public void remove(String id) {
        secrets.remove(id);
    }

    /**
     * Checks an application's claim to a namespace.
     *
     * @return the namespace's name ({@value #DEFAULT} for an empty id)
     * @throws AttachException {@link AttachStatus#UNKNOWN_NAMESPACE} or {@link AttachStatus#BAD_SECRET}
     */
    public String check(String id, long secret) throws AttachException {
        if (id.isEmpty() || id.equals(DEFAULT)) {
            return DEFAULT;
        }
        Long expected = secrets.get(id);
        if (expected == null) {
            throw new AttachException(AttachStatus.UNKNOWN_NAMESPACE, "no application namespace '" + id
                    + "' on this stack");
        }
        // Compared in constant time, so the time a refusal takes says nothing about how much of a guess was right.
        if (!MessageDigest.isEqual(bytes(expected), bytes(secret))) {
            throw new AttachException(AttachStatus.BAD_SECRET, "wrong secret for application namespace '" + id
                    + "'");
        }
        return id;
    }

    private static byte[] bytes(long value) {
        byte[] bytes = new byte[Long.BYTES];
        for (int i = 0; i < Long.BYTES; i++) {
            bytes[i] = (byte) (value >>> (8 * i));
        }
        return bytes;
    }
}
