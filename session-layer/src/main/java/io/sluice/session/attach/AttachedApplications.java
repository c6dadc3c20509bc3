package io.sluice.session.attach;

import java.util.List;

/** What the control socket shows of the attached applications ({@code show app}, {@code show segment}, ...). */
public interface AttachedApplications {

    /** None: a stack that accepts no applications. */
    AttachedApplications NONE = new AttachedApplications() {
        @Override
        public List<ApplicationInfo> snapshot() {
            return List.of();
        }

        @Override
        public List<SegmentInfo> segmentSnapshot() {
            return List.of();
        }

        @Override
        public List<QueueInfo> queueSnapshot() {
            return List.of();
        }
    };

    /** @return every attached application, in index order */
    List<ApplicationInfo> snapshot();

    /** @return every segment of every attached application */
    List<SegmentInfo> segmentSnapshot();

    /** @return every message queue of every attached application */
    List<QueueInfo> queueSnapshot();
}
