package io.sluice.core.config;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * A set of CPU numbers written as VPP and Linux write them: comma-separated numbers and inclusive ranges, e.g.
 * {@code 2-4,6} or {@code 2-3,18-19}.
 *
 * @param cpus the CPU numbers in increasing order, without duplicates
 */
public record CpuList(List<Integer> cpus) {

    /** Highest CPU number accepted. */
    public static final int MAX_CPU = 4095;

    /** Copies and checks the list: increasing, within 0 to {@link #MAX_CPU}, not empty. */
    public CpuList {
        cpus = List.copyOf(cpus);
        if (cpus.isEmpty()) {
            throw new IllegalArgumentException("empty CPU list");
        }
        int previous = -1;
        for (int cpu : cpus) {
            if (cpu <= previous || cpu > MAX_CPU) {
                throw new IllegalArgumentException("CPU numbers must increase and be at most " + MAX_CPU);
            }
            previous = cpu;
        }
    }

    /**
     * Parses {@code n}, {@code a-b} and comma-separated lists of them.
     *
     * @param text the list
     * @return the CPUs
     * @throws IllegalArgumentException naming the bad element: not a number, a range going down ({@code 3-1}),
     *     a CPU above {@link #MAX_CPU}, a CPU given twice, an empty element
     */
    public static CpuList parse(String text) {
        BitSet seen = new BitSet();
        for (String element : text.split(",", -1)) {
            if (element.isEmpty()) {
                throw new IllegalArgumentException("empty element in CPU list '" + text + "'");
            }
            int dash = element.indexOf('-');
            int first;
            int last;
            if (dash < 0) {
                first = cpu(element, text);
                last = first;
            } else {
                first = cpu(element.substring(0, dash), text);
                last = cpu(element.substring(dash + 1), text);
                if (last < first) {
                    throw new IllegalArgumentException("range '" + element + "' goes down");
                }
            }
            if (seen.nextSetBit(first) >= 0 && seen.nextSetBit(first) <= last) {
                throw new IllegalArgumentException("CPU " + seen.nextSetBit(first) + " listed twice");
            }
            seen.set(first, last + 1);
        }
        List<Integer> cpus = new ArrayList<>();
        for (int cpu = seen.nextSetBit(0); cpu >= 0; cpu = seen.nextSetBit(cpu + 1)) {
            cpus.add(cpu);
        }
        return new CpuList(cpus);
    }

    private static int cpu(String number, String text) {
        if (number.isEmpty() || number.length() > 5 || !number.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("'" + number + "' is not a CPU number (in '" + text + "')");
        }
        int cpu = Integer.parseInt(number);
        if (cpu > MAX_CPU) {
            throw new IllegalArgumentException("CPU " + cpu + " above " + MAX_CPU);
        }
        return cpu;
    }

    /** @return the CPUs as a bit set, as {@code io.sluice.core.sys.CpuAffinity.set} takes them */
    public BitSet toBitSet() {
        BitSet set = new BitSet();
        cpus.forEach(set::set);
        return set;
    }

    /** @return how many CPUs */
    public int size() {
        return cpus.size();
    }

    /** @return whether the CPU is in the list */
    public boolean contains(int cpu) {
        return cpus.contains(cpu);
    }

    /** @return the canonical form, ranges merged: {@code 2-4,6} */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < cpus.size()) {
            int j = i;
            while (j + 1 < cpus.size() && cpus.get(j + 1) == cpus.get(j) + 1) {
                j++;
            }
            if (!sb.isEmpty()) {
                sb.append(',');
            }
            sb.append(cpus.get(i));
            if (j > i) {
                sb.append('-').append(cpus.get(j));
            }
            i = j + 1;
        }
        return sb.toString();
    }
}
