package io.selfinstruct.generate;

import io.selfinstruct.llm.LlmSettings;
import io.selfinstruct.llm.ModelPrice;
import io.selfinstruct.llm.SelfEndpoint;
import io.selfinstruct.pool.PoolLanguage;
import io.selfinstruct.rouge.RougeL;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A batch's settings with every default filled in; stored with the batch as JSON so a resumed batch runs as
 * it started. Defaults are the reference generators' values.
 */
public record BatchConfig(
        String mode,
        String seedSet,
        String model,
        String api,
        String baseUrl,
        int targetInstructions,
        int concurrency,
        int requestsPerMinute,
        int tokensPerMinute,
        double temperature,
        double topP,
        int maxTokens,
        double presencePenalty,
        double frequencyPenalty,
        Double maxCostUsd,
        String language,
        long randomSeed,
        double rougeThreshold,
        int minLength,
        int maxLength,
        List<String> blocklist,
        boolean capitalize,
        boolean classificationOnly,
        int machineInstructionsPerPrompt,
        int maxInstancesPerInstruction,
        ModelPrice price,
        String delivery,
        Boolean reuseAnswers,
        Boolean structuredOutputs) {

    public static final String SELF_INSTRUCT = "self-instruct";
    public static final String ALPACA = "alpaca";
    /** Instructions shown in a step-1 prompt; seed examples in an Alpaca prompt. */
    public static final int PROMPT_INSTRUCTIONS = 8;

    public static final int ALPACA_PROMPT_SEEDS = 3;

    public static final String ONLINE = "online";
    public static final String BATCH_API = "batch-api";

    /** Configs stored before these fields existed read as online, no reuse, text prompts. */
    public BatchConfig {
        delivery = delivery == null ? ONLINE : delivery;
        reuseAnswers = Boolean.TRUE.equals(reuseAnswers);
        structuredOutputs = Boolean.TRUE.equals(structuredOutputs);
    }

    public boolean batchApi() {
        return BATCH_API.equals(delivery);
    }

    /** Whether the teacher is one of the service's own served models. */
    public boolean selfTaught() {
        return SelfEndpoint.SELF.equals(baseUrl);
    }

    public boolean alpaca() {
        return ALPACA.equals(mode);
    }

    /**
     * @param self whether the request names the service's own {@code /v1} as its server: stored as {@code self}
     *     (resolved to an address when a run starts), and free
     */
    public static BatchConfig resolve(BatchRequest r, LlmSettings llm, boolean self) {
        String mode = r.mode() == null ? SELF_INSTRUCT : r.mode();
        boolean alpaca = ALPACA.equals(mode);
        String language = r.language() == null ? "en" : r.language();
        boolean zh = PoolLanguage.of(language) == PoolLanguage.ZH;
        List<String> blocklist = r.blocklist();
        if (blocklist == null) {
            blocklist = new ArrayList<>(
                    zh ? InstructionFilter.CHINESE_BLOCKLIST : InstructionFilter.SELF_INSTRUCT_BLOCKLIST);
            if (alpaca && !zh) {
                blocklist.addAll(InstructionFilter.ALPACA_EXTRA_BLOCKLIST);
            }
        }
        return new BatchConfig(
                mode,
                r.seedSet() == null ? PoolLanguage.of(language).defaultSeedSet() : r.seedSet(),
                r.model() == null ? llm.model() : r.model(),
                r.api() == null ? llm.api().name().toLowerCase(java.util.Locale.ROOT) : r.api(),
                self ? SelfEndpoint.SELF : r.baseUrl() == null ? llm.baseUrl() : r.baseUrl(),
                r.targetInstructions(),
                r.concurrency() == null ? llm.concurrency() : r.concurrency(),
                r.requestsPerMinute() == null ? llm.requestsPerMinute() : r.requestsPerMinute(),
                r.tokensPerMinute() == null ? llm.tokensPerMinute() : r.tokensPerMinute(),
                r.temperature() == null ? (alpaca ? 1.0 : 0.7) : r.temperature(),
                r.topP() == null ? (alpaca ? 1.0 : 0.5) : r.topP(),
                r.maxTokens() == null ? (alpaca ? 3072 : 1024) : r.maxTokens(),
                r.presencePenalty() == null ? (alpaca ? 0.0 : 2.0) : r.presencePenalty(),
                r.frequencyPenalty() == null ? 0.0 : r.frequencyPenalty(),
                r.maxCostUsd(),
                language,
                r.randomSeed() == null ? ThreadLocalRandom.current().nextLong(1L << 48) : r.randomSeed(),
                r.rougeThreshold() == null ? RougeL.SELF_INSTRUCT_THRESHOLD : r.rougeThreshold(),
                r.minLength() == null ? (zh ? 5 : 3) : r.minLength(),
                r.maxLength() == null ? (zh ? 300 : 150) : r.maxLength(),
                List.copyOf(blocklist),
                Boolean.TRUE.equals(r.capitalize()),
                Boolean.TRUE.equals(r.classificationOnly()),
                r.machineInstructionsPerPrompt() == null ? 2 : r.machineInstructionsPerPrompt(),
                r.maxInstancesPerInstruction() == null ? 5 : r.maxInstancesPerInstruction(),
                self
                        ? ModelPrice.FREE
                        : r.price() == null
                                ? null
                                : new ModelPrice(
                                        r.price().inputPerMillion(), r.price().outputPerMillion()),
                r.delivery(),
                r.reuseAnswers(),
                r.structuredOutputs());
    }
}
