package io.selfinstruct.generate;

import io.selfinstruct.generate.InstanceParser.Example;
import io.selfinstruct.pool.RejectReason;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Step 4 of self-instruct: drop bad instances, drop the whole task when its instances contradict each other,
 * remove exact duplicates and keep at most {@code maxInstances}, sampled at random.
 */
public final class InstanceFilter {

    private InstanceFilter() {}

    /**
     * @return the kept instances, and a reason for each dropped one; {@code taskRejection} is set when the task
     *     as a whole must go
     */
    public static Result apply(List<Example> examples, int maxInstances, Random random) {
        List<Example> valid = new ArrayList<>();
        List<Dropped> dropped = new ArrayList<>();
        for (Example e : examples) {
            if (e.output().isBlank()) {
                dropped.add(new Dropped(e, RejectReason.EMPTY_OUTPUT));
            } else if (e.input().strip().equals(e.output().strip())) {
                dropped.add(new Dropped(e, RejectReason.INPUT_EQUALS_OUTPUT));
            } else if (e.input().strip().endsWith(":") || e.output().strip().endsWith(":")) {
                dropped.add(new Dropped(e, RejectReason.ENDS_WITH_COLON));
            } else {
                valid.add(e);
            }
        }
        Map<String, String> outputOfInput = new HashMap<>();
        for (Example e : valid) {
            if (!e.input().isEmpty()) {
                String earlier = outputOfInput.putIfAbsent(e.input(), e.output());
                if (earlier != null && !earlier.equals(e.output())) {
                    return new Result(List.of(), dropped, RejectReason.CONFLICTING_INSTANCES);
                }
            }
        }
        List<Example> unique = new ArrayList<>();
        var seen = new java.util.HashSet<Example>();
        for (Example e : valid) {
            if (seen.add(e)) {
                unique.add(e);
            } else {
                dropped.add(new Dropped(e, RejectReason.DUPLICATE_INSTANCE));
            }
        }
        if (unique.isEmpty()) {
            return new Result(List.of(), dropped, RejectReason.NO_VALID_INSTANCES);
        }
        if (unique.size() > maxInstances) {
            Collections.shuffle(unique, random);
            unique = new ArrayList<>(unique.subList(0, maxInstances));
        }
        return new Result(List.copyOf(unique), List.copyOf(dropped), null);
    }

    public record Result(List<Example> kept, List<Dropped> dropped, RejectReason taskRejection) {}

    public record Dropped(Example example, RejectReason reason) {}
}
