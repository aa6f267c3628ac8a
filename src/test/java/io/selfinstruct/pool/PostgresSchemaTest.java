package io.selfinstruct.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.selfinstruct.finetune.FineTuneJob;
import io.selfinstruct.finetune.FineTuneJobRepository;
import io.selfinstruct.generate.Batch;
import io.selfinstruct.generate.BatchRepository;
import io.selfinstruct.llm.LlmCall;
import io.selfinstruct.llm.LlmCallRepository;
import io.selfinstruct.seed.SeedTaskRepository;
import io.selfinstruct.support.PostgresDatabase;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The same Flyway migrations and entity mappings, on PostgreSQL. */
@SpringBootTest
class PostgresSchemaTest {

    @org.junit.jupiter.api.BeforeAll
    static void requirePostgres() {
        PostgresDatabase.assumeAvailable();
    }

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) {
        PostgresDatabase.register(registry);
    }

    @Autowired
    DataSource dataSource;

    @Autowired
    SeedTaskRepository seedTasks;

    @Autowired
    InstructionRepository instructions;

    @Autowired
    InstanceRepository instances;

    @Autowired
    BatchRepository batches;

    @Autowired
    LlmCallRepository llmCalls;

    @Autowired
    FineTuneJobRepository jobs;

    @Test
    void runsOnPostgresWithEveryMigrationApplied() throws Exception {
        try (var c = dataSource.getConnection()) {
            assertThat(c.getMetaData().getDatabaseProductName()).isEqualTo("PostgreSQL");
        }
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        List<Boolean> success =
                jdbc.queryForList("select success from flyway_schema_history where version is not null", Boolean.class);
        assertThat(success).isNotEmpty().allMatch(Boolean::booleanValue);
        assertThat(seedTasks.countBySeedSet("default")).isGreaterThanOrEqualTo(175);
    }

    @Test
    void everyEntityRoundTripsThroughPostgres() {
        Batch batch = batches.save(new Batch("self-instruct", "default", "gpt-4o-mini", "chat", null, "en", 10, "{}"));
        LlmCall call = llmCalls.save(
                new LlmCall(batch.getId(), "generate_instructions", "b1-k1", "gpt-4o-mini", "1. Name a colour\n2."));
        String hostile = "Quote \" backslash \\ tab \t newline \n emoji 🦙 CJK 指令 U+2028 \u2028 end";
        Instruction instruction =
                new Instruction(hostile, Origin.GENERATED, batch.getId(), "en", InstructionStatus.ACCEPTED);
        instruction.setLlmCallId(call.getId());
        instruction.setMaxRouge(0.7);
        instruction.setMostSimilarJson("[{\"text\":\"x\",\"score\":0.5}]");
        instruction = instructions.save(instruction);
        instances.save(new Instance(instruction.getId(), "", hostile, InstructionStatus.ACCEPTED, 0));
        jobs.save(new FineTuneJob("/models/tiny", "lora", "{}", "{}", "cpu"));

        Instruction read = instructions.findById(instruction.getId()).orElseThrow();
        assertThat(read.getText()).isEqualTo(hostile);
        assertThat(read.getMaxRouge()).isEqualTo(0.7);
        assertThat(read.getCreatedAt()).isNotNull();
        assertThat(instances.findByInstructionIdOrderByPosition(instruction.getId()))
                .extracting(Instance::getOutput)
                .containsExactly(hostile);
        assertThat(llmCalls.findByRequestKey("b1-k1")).isPresent();
        assertThat(batches.findById(batch.getId()).orElseThrow().getStatus()).isEqualTo(batch.getStatus());
        assertThat(jobs.count()).isEqualTo(1);
    }
}
