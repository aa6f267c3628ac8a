package io.selfinstruct.seed;

import java.util.List;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;

public interface SeedTaskRepository extends JpaRepository<SeedTask, Long> {

    List<SeedTask> findBySeedSetOrderByPosition(String seedSet);

    long countBySeedSet(String seedSet);

    @Modifying
    @Query("delete from SeedTask s where s.seedSet = :seedSet")
    int deleteBySeedSet(String seedSet);

    @Query("select s.seedSet as name, count(s) as count from SeedTask s group by s.seedSet order by s.seedSet")
    List<SeedSetCount> countBySet();

    interface SeedSetCount {
        String getName();

        long getCount();
    }
}
