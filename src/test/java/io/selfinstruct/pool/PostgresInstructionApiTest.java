package io.selfinstruct.pool;

import io.selfinstruct.support.PostgresDatabase;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The pool API's searches, sorts (V6 indexes), capped counts and curation, on PostgreSQL. */
class PostgresInstructionApiTest extends InstructionApiTest {

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) {
        PostgresDatabase.register(registry);
    }
}
