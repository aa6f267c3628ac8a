package io.selfinstruct.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.selfinstruct.pool.Admission.Candidate;
import io.selfinstruct.rouge.RougeL;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

@SpringBootTest
class AdmissionTest {

    @Autowired
    Admission admission;

    @Autowired
    InstructionRepository instructions;

    final Admission.Pool pool = new Admission.Pool("default", PoolLanguage.EN, 0.7);

    @Test
    void admitsUpToTheSlotsAndRecordsWhy() {
        var outcome = admission.admit(
                pool,
                null,
                null,
                List.of(
                        new Candidate("Estimate how many piano tuners work in a mid-sized city.", null, null, null),
                        new Candidate(
                                "Estimate how many piano tuners work in a mid-sized city today.", null, null, null),
                        new Candidate("Compose a limerick about a forgetful lighthouse keeper.", null, null, null),
                        new Candidate("Tell me", "too_short", null, null),
                        new Candidate("Recommend a board game for four players who dislike luck.", null, null, null)),
                2,
                InstructionStatus.ACCEPTED);

        assertThat(outcome.admitted())
                .extracting(Instruction::getText)
                .containsExactly(
                        "Estimate how many piano tuners work in a mid-sized city.",
                        "Compose a limerick about a forgetful lighthouse keeper.");
        assertThat(outcome.rejected())
                .extracting(Instruction::getRejectReason)
                .containsExactly("rouge_similar", "too_short", "over_target");
        Instruction first = outcome.admitted().get(0);
        assertThat(first.getMostSimilarJson()).contains("\"score\"");
        assertThat(first.getAvgRouge()).isBetween(0.0, 0.7);
        assertThat(instructions.findById(first.getId()).orElseThrow().getStatus())
                .isEqualTo(InstructionStatus.ACCEPTED);
    }

    @Test
    void concurrentResponsesNeverAdmitTwoSimilarInstructions() throws Exception {
        String base = "Summarize the main argument of the essay about urban beekeeping in";
        ExecutorService threads = Executors.newFixedThreadPool(8);
        List<Future<Admission.Outcome>> outcomes = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
            int thread = t;
            outcomes.add(threads.submit(() -> admission.admit(
                    pool,
                    null,
                    null,
                    List.of(new Candidate(base + " two sentences, version " + thread, null, null, null)),
                    10,
                    InstructionStatus.ACCEPTED)));
        }
        List<String> admitted = new ArrayList<>();
        for (Future<Admission.Outcome> outcome : outcomes) {
            outcome.get().admitted().forEach(i -> admitted.add(i.getText()));
        }
        threads.shutdown();
        assertThat(admitted).hasSize(1);
        for (int a = 0; a < admitted.size(); a++) {
            for (int b = a + 1; b < admitted.size(); b++) {
                assertThat(RougeL.score(admitted.get(a), admitted.get(b)).fmeasure())
                        .isLessThanOrEqualTo(0.7);
            }
        }
    }
}
