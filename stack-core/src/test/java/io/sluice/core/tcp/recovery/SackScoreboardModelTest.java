package io.sluice.core.tcp.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The scoreboard against a model that keeps one flag per octet and applies RFC 2018/2883 and RFC 6675's
 * definitions literally (IsLost counts SACKed octets and discontiguous SACKed runs above a sequence number; SetPipe
 * walks every octet). Random ACKs with random blocks, including invalid and D-SACK ones, at initial sequence
 * numbers around the 2^32 wrap; the failing seed and step are in the message.
 */
class SackScoreboardModelTest {

    private static final int SMSS = 100;
    private static final int FLIGHT = 3000;
    private static final int SEEDS = 200;
    private static final int STEPS = 60;

    /** The literal model: octet k of the flight is iss + k. */
    private static final class Model {
        final boolean[] sacked = new boolean[FLIGHT];
        int una;
        int nxt;
        int highRxt;

        boolean isLost(int k) {
            int bytes = 0;
            int runs = 0;
            boolean inRun = false;
            for (int j = k + 1; j < nxt; j++) {
                if (sacked[j]) {
                    bytes++;
                    if (!inRun) {
                        runs++;
                    }
                }
                inRun = sacked[j];
            }
            return runs >= SackScoreboard.DUP_THRESH || bytes > (SackScoreboard.DUP_THRESH - 1) * SMSS;
        }

        long pipe() {
            long pipe = 0;
            for (int k = una; k < nxt; k++) {
                if (!sacked[k]) {
                    pipe += isLost(k) ? 0 : 1;
                    pipe += k < highRxt ? 1 : 0;
                }
            }
            return pipe;
        }

        long sackedBytes() {
            long n = 0;
            for (int k = una; k < nxt; k++) {
                n += sacked[k] ? 1 : 0;
            }
            return n;
        }
    }

    @Test
    void matchesTheOctetModel() {
        int[] isses = {0, 0x7FFF_FF00, 0xFFFF_FA00, 0xFFFF_FFFF};
        int[] blocks = new int[8];
        for (int seed = 0; seed < SEEDS; seed++) {
            Random random = new Random(seed);
            int iss = isses[seed % isses.length];
            SackScoreboard board = new SackScoreboard(64, SMSS, iss);
            Model model = new Model();
            for (int step = 0; step < STEPS; step++) {
                String where = "seed " + seed + " step " + step;
                if (model.nxt < FLIGHT && random.nextInt(4) == 0) {
                    model.nxt = Math.min(FLIGHT, model.nxt + SMSS * (1 + random.nextInt(5)));
                    board.onDataSent(iss + model.nxt);
                }
                int ack = model.una;
                if (random.nextInt(5) == 0) {
                    ack = model.una + random.nextInt(model.nxt - model.una + 1);
                }
                int count = random.nextInt(5);
                for (int b = 0; b < count; b++) {
                    int start = model.una - 200 + random.nextInt(model.nxt - model.una + 400);
                    int end = start + random.nextInt(4 * SMSS) - SMSS / 2;
                    blocks[2 * b] = iss + start;
                    blocks[2 * b + 1] = iss + end;
                }
                board.onAck(iss + ack, blocks, count);
                apply(model, ack, blocks, count, iss);
                if (random.nextInt(6) == 0 && board.canEnterRecovery()) {
                    board.enterRecovery();
                    model.highRxt = model.una;
                }
                if (board.inRecovery() && random.nextBoolean()) {
                    NextSegRule rule = board.nextSeg(0);
                    if (rule == NextSegRule.RETRANSMIT_LOST || rule == NextSegRule.RETRANSMIT_UNSACKED) {
                        int start = board.nextStart() - iss;
                        int end = board.nextEnd() - iss;
                        for (int k = start; k < end; k++) {
                            assertEquals(false, model.sacked[k], where + ": retransmits SACKed octet " + k);
                        }
                        assertEquals(rule == NextSegRule.RETRANSMIT_LOST, model.isLost(start), where + ": " + rule);
                        model.highRxt = Math.max(model.highRxt, end);
                    }
                    board.markNextSegSent();
                }
                if (board.inRecovery() && model.una >= board.recoveryPoint() - iss) {
                    board.exitRecovery();
                    model.highRxt = model.una;
                }
                assertEquals(model.sackedBytes(), board.sackedBytes(), where + ": sacked bytes");
                assertEquals(model.pipe(), board.pipe(), where + ": pipe");
                for (int k = model.una; k < model.nxt; k += 37) {
                    assertEquals(model.isLost(k), board.isLost(iss + k), where + ": IsLost(" + k + ")");
                }
                int highSacked = model.una;
                for (int k = model.una; k < model.nxt; k++) {
                    highSacked = model.sacked[k] ? k + 1 : highSacked;
                }
                assertEquals(iss + highSacked, board.highSacked(), where + ": highest SACKed");
            }
        }
    }

    /** RFC 2018 and RFC 2883 as the model reads them: the scoreboard must agree. */
    private static void apply(Model model, int ack, int[] blocks, int count, int iss) {
        int first = 0;
        if (count > 0) {
            int s0 = blocks[0] - iss;
            int e0 = blocks[1] - iss;
            boolean belowAck = e0 <= ack;
            boolean insideSecond = count >= 2 && s0 < e0 && s0 >= blocks[2] - iss && e0 <= blocks[3] - iss;
            first = belowAck || insideSecond ? 1 : 0;
        }
        if (ack > model.una) {
            model.una = ack;
            model.highRxt = Math.max(model.highRxt, ack);
        }
        for (int b = first; b < count; b++) {
            int start = blocks[2 * b] - iss;
            int end = blocks[2 * b + 1] - iss;
            if (start >= end || end <= model.una || end > model.nxt) {
                continue;
            }
            for (int k = Math.max(start, model.una); k < end; k++) {
                model.sacked[k] = true;
            }
        }
    }
}
