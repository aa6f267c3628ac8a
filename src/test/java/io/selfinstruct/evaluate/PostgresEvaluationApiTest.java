package io.selfinstruct.evaluate;

import io.selfinstruct.support.PostgresDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The evaluation API (V14, the claims, the summary queries, paging and the export) on PostgreSQL. */
class PostgresEvaluationApiTest extends EvaluationApiTest {

    @BeforeAll
    static void requirePostgres() {
        PostgresDatabase.assumeAvailable();
    }

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) {
        PostgresDatabase.register(registry);
    }
}
