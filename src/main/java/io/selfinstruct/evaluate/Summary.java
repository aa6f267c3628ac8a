package io.selfinstruct.evaluate;

import java.util.List;

/**
 * Model A's record against model B over the judged pairs. {@code winRate} = (wins + ties / 2) / n, and
 * {@code winRateCi95} is the Wilson score interval (z = 1.96) of that rate over n pairs, null before the first pair.
 */
public record Summary(int wins, int ties, int losses, Double winRate, List<Double> winRateCi95) {

    private static final double Z = 1.959963984540054;

    static Summary of(int wins, int ties, int losses) {
        int n = wins + ties + losses;
        if (n == 0) {
            return new Summary(0, 0, 0, null, null);
        }
        double p = (wins + ties / 2.0) / n;
        return new Summary(wins, ties, losses, p, wilson(p, n));
    }

    static List<Double> wilson(double p, int n) {
        double z2 = Z * Z;
        double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
        double half = Z / (1 + z2 / n) * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
        return List.of(Math.max(0, centre - half), Math.min(1, centre + half));
    }
}
