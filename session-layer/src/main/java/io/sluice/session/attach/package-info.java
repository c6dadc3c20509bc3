/**
 * The attach protocol: how an application process gets the stack's shared memory. Both ends live here so they
 * cannot drift: the messages ({@link io.sluice.session.attach.AttachMessage}) and their one codec
 * ({@link io.sluice.session.attach.AttachCodec}), the stack's {@link io.sluice.session.attach.AttachServer} (with
 * {@link io.sluice.session.attach.NamespaceTable} and an {@link io.sluice.session.attach.AttachHandler}), and the
 * application's {@link io.sluice.session.attach.AttachClient}. The wire format is specified in
 * {@code docs/attach-protocol.md}.
 */
package io.sluice.session.attach;
