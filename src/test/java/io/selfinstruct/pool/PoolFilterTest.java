package io.selfinstruct.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.selfinstruct.problem.InvalidRequestException;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/** The one pool filter: the condition each field adds, and how request values are parsed. */
class PoolFilterTest {

    @Test
    void anEmptyFilterHasNoCondition() {
        assertThat(PoolFilter.all().where("i", new MapSqlParameterSource())).isEmpty();
    }

    @Test
    void everyFieldAddsItsConditionWithItsParameter() {
        MapSqlParameterSource params = new MapSqlParameterSource();
        PoolFilter filter = new PoolFilter(
                " 50%_off ",
                InstructionStatus.ACCEPTED,
                EnumSet.of(Origin.IMPORTED, Origin.GENERATED),
                7L,
                true,
                Instant.parse("2026-01-01T00:00:00Z"),
                Instant.parse("2026-02-01T00:00:00Z"),
                "zh");
        assertThat(filter.where("i", params))
                .isEqualTo("i.text ilike :text escape '\\' and i.status = :status "
                        + "and i.origin in (:origins) and i.batch_id = :batchId and i.is_classification = :classification "
                        + "and i.created_at >= :from and i.created_at < :to and i.language = :language");
        assertThat(params.getValue("text")).as("a literal substring, stripped").isEqualTo("%50\\%\\_off%");
        assertThat(params.getValue("status")).isEqualTo("ACCEPTED");
        assertThat(params.getValue("origins")).isEqualTo(List.of("GENERATED", "IMPORTED"));
        assertThat(params.getValue("batchId")).isEqualTo(7L);
        assertThat(params.getValue("language")).isEqualTo("zh");
        assertThat(new PoolFilter(null, null, null, null, null, null, null, "en")
                        .where("", new MapSqlParameterSource()))
                .isEqualTo("language = :language");
    }

    @Test
    void parsesRequestValues() {
        assertThat(PoolFilter.parseStatus(" accepted ")).isEqualTo(InstructionStatus.ACCEPTED);
        assertThat(PoolFilter.parseStatus("")).isNull();
        assertThat(PoolFilter.parseOrigins("generated, IMPORTED"))
                .containsExactlyInAnyOrder(Origin.GENERATED, Origin.IMPORTED);
        assertThat(PoolFilter.parseOrigins(null)).isEmpty();
        assertThat(PoolFilter.parseBoolean("classification", "FALSE")).isFalse();
        assertThat(PoolFilter.parseInstant("to", "2026-01-31", true)).isEqualTo(Instant.parse("2026-02-01T00:00:00Z"));
        assertThat(PoolFilter.parseInstant("from", "2026-01-31", false))
                .isEqualTo(Instant.parse("2026-01-31T00:00:00Z"));
        assertThatThrownBy(() -> PoolFilter.parseOrigins("GENERATED,ALIENS"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("Unknown origin 'ALIENS'");
        assertThatThrownBy(() -> PoolFilter.parseBoolean("classification", "maybe"))
                .hasMessageContaining("classification must be true or false");
        assertThatThrownBy(() -> PoolFilter.parseInstant("from", "yesterday", false))
                .hasMessageContaining("ISO date");
        assertThatThrownBy(() -> new PoolFilter("x".repeat(501), null, null, null, null, null, null, null))
                .hasMessageContaining("at most 500");
    }
}
