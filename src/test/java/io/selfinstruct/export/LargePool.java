package io.selfinstruct.export;

import io.selfinstruct.pool.PoolExamples;
import java.nio.file.Path;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * An H2 file database with the real schema (Flyway) and a pool of any size, filled by H2's generated series
 * in a few seconds: accepted GENERATED instructions with two instances each, text with quotes, tabs, accents
 * and CJK, about 150 bytes per exported record. For the streaming test and the export/import benchmarks,
 * which run without a Spring context.
 */
final class LargePool {

    final DriverManagerDataSource dataSource;
    final JdbcTemplate jdbc;
    final PlatformTransactionManager transactions;

    LargePool(Path directory) {
        dataSource = new DriverManagerDataSource(
                "jdbc:h2:file:" + directory.resolve("pool").toAbsolutePath() + ";DB_CLOSE_ON_EXIT=FALSE", "sa", "");
        Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .load()
                .migrate();
        jdbc = new JdbcTemplate(dataSource);
        transactions = new DataSourceTransactionManager(dataSource);
    }

    /** Fills an empty pool with {@code instances} accepted instances (an even number); a full one is kept as is. */
    LargePool fill(int instances) {
        Integer present = jdbc.queryForObject("SELECT count(*) FROM instance", Integer.class);
        if (present != null && present > 0) {
            if (present != instances) {
                throw new IllegalStateException("the pool holds " + present + " instances, not " + instances);
            }
            return this;
        }
        // the series satisfy the foreign key by construction; checking it row by row doubles the fill time
        jdbc.execute("SET REFERENTIAL_INTEGRITY FALSE");
        jdbc.update(
                "INSERT INTO instruction (id, text, origin, language, is_classification, status, created_at, "
                        + "updated_at) SELECT X, 'Instruction ' || X || ': why is the \"sky\" blue?\t(café, 天空)', "
                        + "'GENERATED', 'en', FALSE, 'ACCEPTED', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP "
                        + "FROM SYSTEM_RANGE(1, ?)",
                instances / 2);
        jdbc.update(
                "INSERT INTO instance (instruction_id, input, output, status, position) "
                        + "SELECT (X + 1) / 2, CASE WHEN MOD(X, 2) = 0 THEN '' ELSE 'Input \\ ' || X END, "
                        + "'Output ' || X || ': light scatters;\nshort waves scatter more. 日落。', 'ACCEPTED', "
                        + "MOD(X + 1, 2) FROM SYSTEM_RANGE(1, ?)",
                instances);
        jdbc.execute("SET REFERENTIAL_INTEGRITY TRUE");
        return this;
    }

    PoolRecords records() {
        // no seed tasks in these benchmarks: the exports never include them
        return new PoolRecords(new PoolExamples(dataSource, transactions, 1000), null);
    }

    Exporter exporter() {
        return new Exporter(records(), new ExportProperties(null));
    }
}
