package io.selfinstruct.finetune.data;

import java.util.ArrayList;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** Reads training examples (instruction, input, output) from the pool, one per accepted instance. */
@Component
public class PoolExamples {

    private final JdbcTemplate jdbc;

    public PoolExamples(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public List<Example> select(DataSelection selection) {
        StringBuilder sql = new StringBuilder("""
                SELECT i.text, x.input, x.output FROM instruction i JOIN instance x ON x.instruction_id = i.id
                WHERE x.status = 'ACCEPTED' AND i.status = ?""");
        List<Object> args = new ArrayList<>(List.of(selection.status()));
        if (selection.origin() != null) {
            sql.append(" AND i.origin = ?");
            args.add(selection.origin());
        }
        if (selection.batchId() != null) {
            sql.append(" AND i.batch_id = ?");
            args.add(selection.batchId());
        }
        if (selection.classification() != null) {
            sql.append(" AND i.is_classification = ?");
            args.add(selection.classification());
        }
        if (selection.language() != null) {
            sql.append(" AND i.language = ?");
            args.add(selection.language());
        }
        sql.append(" ORDER BY i.id, x.position, x.id");
        return jdbc.query(sql.toString(), (rs, n) -> new Example(rs.getString(1), rs.getString(2), rs.getString(3)),
                args.toArray());
    }
}
