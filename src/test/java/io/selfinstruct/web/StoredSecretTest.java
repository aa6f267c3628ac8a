package io.selfinstruct.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoredSecretTest {

    @TempDir
    Path dir;

    @Test
    void generatesOnceKeepsItOwnerOnlyAndReusesIt() throws Exception {
        Path file = dir.resolve("data/api-key");
        String first = StoredSecret.configuredOrStored("", file, "si-", "key");
        String second = StoredSecret.configuredOrStored(null, file, "si-", "key");

        assertThat(first).startsWith("si-").hasSize(3 + 48).isEqualTo(second);
        assertThat(Files.readString(file).strip()).isEqualTo(first);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
    }

    @Test
    void configuredValueWinsAndNothingIsWritten() {
        Path file = dir.resolve("api-key");
        assertThat(StoredSecret.configuredOrStored("  my-key ", file, "si-", "key"))
                .isEqualTo("my-key");
        assertThat(file).doesNotExist();
    }

    @Test
    void apiKeysCompareTheWholeKey() {
        ApiKeys keys = new ApiKeys(new SecurityProperties("abc123"), dir);
        assertThat(keys.matches("abc123")).isTrue();
        assertThat(keys.matches("abc12")).isFalse();
        assertThat(keys.matches("abc1234")).isFalse();
        assertThat(keys.matches(null)).isFalse();
    }
}
