package io.selfinstruct.llm;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.core.http.Headers;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

class FailureTest {

    @Test
    void retryAfterIsReadInSecondsMillisecondsOrAsAnHttpDate() {
        assertThat(Failure.retryAfter(Headers.builder().put("Retry-After", "2").build()))
                .isEqualTo(Duration.ofSeconds(2));
        assertThat(Failure.retryAfter(Headers.builder()
                        .put("Retry-After", "2")
                        .put("retry-after-ms", "350")
                        .build()))
                .as("OpenAI's finer header wins")
                .isEqualTo(Duration.ofMillis(350));
        String inTenSeconds = DateTimeFormatter.RFC_1123_DATE_TIME.format(
                ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(10));
        assertThat(Failure.retryAfter(
                        Headers.builder().put("Retry-After", inTenSeconds).build()))
                .isBetween(Duration.ofSeconds(8), Duration.ofSeconds(10));
        assertThat(Failure.retryAfter(Headers.builder().build())).isNull();
        assertThat(Failure.retryAfter(
                        Headers.builder().put("Retry-After", "soon").build()))
                .isNull();
    }
}
