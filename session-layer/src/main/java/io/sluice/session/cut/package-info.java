/**
 * Cut-through channels: sessions between two applications of the same stack whose bytes and IO events go straight
 * from one application to the other through shared memory, without TCP and without a stack thread on the data
 * path. The stack makes a {@link io.sluice.session.cut.CutThroughChannel} per pair of application workers; each
 * application opens its {@link io.sluice.session.cut.CutThroughEnd} from the channel's
 * {@link io.sluice.session.cut.CutThroughDescription}. Both ends live here so they cannot drift.
 */
package io.sluice.session.cut;
