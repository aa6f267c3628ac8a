package io.selfinstruct.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class LlmPropertiesTest {

    @Test
    void pricesMatchExactNamesThenTheLongestPrefixAndUnknownModelsAreFree() {
        LlmProperties properties = LlmProperties.defaults();

        assertThat(properties.priceOf("gpt-4o-mini")).isEqualTo(new ModelPrice(0.15, 0.60));
        assertThat(properties.priceOf("gpt-4o-mini-2024-07-18")).isEqualTo(new ModelPrice(0.15, 0.60));
        assertThat(properties.priceOf("gpt-4o-2024-08-06")).isEqualTo(new ModelPrice(2.50, 10.00));
        assertThat(properties.priceOf("meta-llama/Llama-3.1-8B")).isEqualTo(ModelPrice.FREE);
    }

    @Test
    void configuredPricesOverrideAndExtendTheDefaults() {
        LlmProperties properties = new LlmProperties(
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                Map.of("gpt-4o-mini", new ModelPrice(1, 2), "my-model", new ModelPrice(3, 4)),
                null,
                null);

        assertThat(properties.priceOf("gpt-4o-mini")).isEqualTo(new ModelPrice(1, 2));
        assertThat(properties.priceOf("my-model")).isEqualTo(new ModelPrice(3, 4));
        assertThat(properties.priceOf("gpt-4o")).isEqualTo(new ModelPrice(2.50, 10.00));
    }

    @Test
    void springBindsTheServicePropertiesWithDefaultsForTheRest() {
        var source = new MapConfigurationPropertySource(Map.of(
                "selfinstruct.llm.base-url", "http://vllm:8000/v1",
                "selfinstruct.llm.api", "completions",
                "selfinstruct.llm.request-timeout", "45s",
                "selfinstruct.llm.prices[my-org/base-7b].output-per-million", "2.5"));

        LlmProperties properties =
                new Binder(source).bind("selfinstruct.llm", LlmProperties.class).get();

        assertThat(properties.baseUrl()).isEqualTo("http://vllm:8000/v1");
        assertThat(properties.requestTimeout()).isEqualTo(Duration.ofSeconds(45));
        assertThat(properties.priceOf("my-org/base-7b")).isEqualTo(new ModelPrice(0, 2.5));
        assertThat(properties.priceOf("gpt-4o-mini").outputPerMillion()).isEqualTo(0.60);
        LlmSettings settings = properties.toSettings();
        assertThat(settings.api()).isEqualTo(LlmApi.COMPLETIONS);
        assertThat(settings.concurrency()).isEqualTo(8);
        assertThat(settings.maxAttempts()).isEqualTo(6);
        assertThat(settings.maxCostUsd()).isNull();
    }

    @Test
    void costIsPerMillionTokensReadAndWritten() {
        assertThat(new ModelPrice(0.15, 0.60).cost(1_000_000, 500_000)).isCloseTo(0.45, Offset.offset(1e-12));
    }

    @Test
    void theApiModeIsReadFromItsWireName() {
        assertThat(LlmApi.parse("Completions")).isEqualTo(LlmApi.COMPLETIONS);
        assertThatThrownBy(() -> LlmApi.parse("responses")).hasMessageContaining("'chat' or 'completions'");
    }
}
