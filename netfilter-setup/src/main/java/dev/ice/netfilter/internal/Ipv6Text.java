package dev.ice.netfilter.internal;

/**
 * Writes IPv6 addresses in their short form (RFC 5952 section 4), the way ip6tables-save and nft print them.
 *
 * <p>Java's {@code getHostAddress()} writes all eight groups ({@code 2001:db8:0:0:0:0:0:1}); rendered rules are read
 * by people, so they get {@code 2001:db8::1}.
 */
final class Ipv6Text {

    private static final int GROUPS = 8;

    private Ipv6Text() {
    }

    /**
     * @param address 16 bytes
     * @return lower-case groups without leading zeros, the longest run of two or more zero groups written as "::"
     */
    static String shortForm(byte[] address) {
        int[] groups = new int[GROUPS];
        for (int i = 0; i < GROUPS; i++) {
            groups[i] = ((address[2 * i] & 0xff) << 8) | (address[2 * i + 1] & 0xff);
        }
        int[] run = longestZeroRun(groups);
        if (run[1] < 2) {
            return join(groups, 0, GROUPS);
        }
        return join(groups, 0, run[0]) + "::" + join(groups, run[0] + run[1], GROUPS);
    }

    /** Returns {start, length} of the first longest run of zero groups (RFC 5952 section 4.2.3). */
    private static int[] longestZeroRun(int[] groups) {
        int[] best = {0, 0};
        int start = -1;
        for (int i = 0; i <= GROUPS; i++) {
            boolean zero = i < GROUPS && groups[i] == 0;
            if (zero && start < 0) {
                start = i;
            } else if (!zero && start >= 0) {
                if (i - start > best[1]) {
                    best = new int[] {start, i - start};
                }
                start = -1;
            }
        }
        return best;
    }

    private static String join(int[] groups, int from, int to) {
        StringBuilder text = new StringBuilder();
        for (int i = from; i < to; i++) {
            text.append(i > from ? ":" : "").append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }
}
