package io.selfinstruct;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * The import rules of the package map in CONTRIBUTING.md: each rule fails the build when a class breaks it.
 */
class ArchitectureTest {

    private static final String ROOT = "io.selfinstruct";

    /** The table each feature owns; nobody else's SQL names it. */
    private static final Map<String, String> TABLE_OWNERS = Map.of(
            "instruction", "pool",
            "instance", "pool",
            "admission_lock", "pool",
            "llm_call", "llm",
            "seed_task", "seed",
            "batch", "generate",
            "finetune_job", "finetune",
            "evaluation", "evaluate",
            "evaluation_item", "evaluate");

    /** What each package may import of the others: the map in CONTRIBUTING.md. */
    private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("problem", Set.of()),
            Map.entry("cluster", Set.of()),
            Map.entry("rouge", Set.of("problem")),
            Map.entry("seed", Set.of("problem")),
            Map.entry("llm", Set.of("problem")),
            Map.entry("pool", Set.of("problem", "rouge", "seed", "llm")),
            Map.entry("generate", Set.of("problem", "cluster", "rouge", "seed", "llm", "pool")),
            Map.entry("export", Set.of("problem", "rouge", "seed", "pool")),
            Map.entry("llama", Set.of()),
            Map.entry("lora", Set.of("llama")),
            Map.entry("models", Set.of("problem", "llama", "lora")),
            Map.entry("finetune", Set.of("problem", "cluster", "pool", "export", "llama", "lora", "models")),
            Map.entry("serve", Set.of("problem", "llama", "models", "finetune")),
            Map.entry("evaluate", Set.of("problem", "cluster", "seed", "llm", "pool", "finetune")),
            Map.entry(
                    "web",
                    Set.of(
                            "problem",
                            "seed",
                            "pool",
                            "llm",
                            "generate",
                            "export",
                            "finetune",
                            "models",
                            "evaluate",
                            "serve")));

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ROOT);
        assertThat(classes).as("the main classes were found").hasSizeGreaterThan(100);
    }

    @Test
    void eachPackageImportsOnlyWhatTheMapAllows() {
        List<String> violations = new ArrayList<>();
        for (JavaClass origin : classes) {
            String from = feature(origin.getPackageName());
            if (from == null) {
                continue;
            }
            assertThat(ALLOWED).as("the map names package " + from).containsKey(from);
            for (Dependency dependency : origin.getDirectDependenciesFromSelf()) {
                String to = feature(dependency.getTargetClass().getPackageName());
                if (to != null && !to.equals(from) && !ALLOWED.get(from).contains(to)) {
                    violations.add(from + " -> " + to + ": " + dependency.getDescription());
                }
            }
        }
        assertThat(violations).as("imports the package map does not allow").isEmpty();
    }

    /** The top-level package under io.selfinstruct, or null for the application class and outside classes. */
    private static String feature(String packageName) {
        if (!packageName.startsWith(ROOT + ".")) {
            return null;
        }
        String rest = packageName.substring(ROOT.length() + 1);
        int dot = rest.indexOf('.');
        return dot < 0 ? rest : rest.substring(0, dot);
    }

    @Test
    void noFeatureImportsWeb() {
        noClasses()
                .that()
                .resideOutsideOfPackage(ROOT + ".web..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage(ROOT + ".web..")
                .because("web holds the security configuration and the admin pages, which use the features")
                .check(classes);
    }

    @Test
    void theModelRuntimeImportsNothingOfTheService() {
        noClasses()
                .that()
                .resideInAPackage(ROOT + ".llama..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("org.springframework..", "jakarta..")
                .orShould()
                .dependOnClassesThat(DescribedPredicate.describe(
                        "are service classes outside llama",
                        c -> c.getPackageName().startsWith(ROOT)
                                && !c.getPackageName().startsWith(ROOT + ".llama")))
                .because("llama is a library: a Llama runtime that the service uses and that knows nothing of it")
                .check(classes);
    }

    @Test
    void loraImportsOnlyTheModelRuntime() {
        noClasses()
                .that()
                .resideInAPackage(ROOT + ".lora..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("org.springframework..", "jakarta..")
                .orShould()
                .dependOnClassesThat(DescribedPredicate.describe(
                        "are service classes outside lora and llama",
                        c -> c.getPackageName().startsWith(ROOT)
                                && !c.getPackageName().startsWith(ROOT + ".lora")
                                && !c.getPackageName().startsWith(ROOT + ".llama")))
                .check(classes);
    }

    @Test
    void featurePackagesFormNoCycle() {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void noClassCallsAController() {
        noClasses()
                .should()
                .dependOnClassesThat(DescribedPredicate.describe(
                        "are controllers",
                        c -> !c.isAnnotation()
                                && (c.isAnnotatedWith(RestController.class) || c.isAnnotatedWith(Controller.class))))
                .because("controllers are thin: pages and controllers call services, never another controller")
                .check(classes);
    }

    /** The admin pages render their own errors as HTML; every API error is a problem detail from one place. */
    @Test
    void problemDetailsAreTheOnlyApiExceptionMapping() {
        noClasses()
                .that()
                .resideOutsideOfPackage(ROOT + ".problem..")
                .should()
                .beAnnotatedWith(RestControllerAdvice.class)
                .check(classes);
        noClasses()
                .that()
                .resideOutsideOfPackages(ROOT + ".problem..", ROOT + ".web.admin..")
                .should()
                .beAnnotatedWith(ControllerAdvice.class)
                .check(classes);
    }

    /** SQL in the main sources names a table only inside the feature that owns it. */
    @Test
    void eachTableIsQueriedOnlyByItsOwner() throws IOException {
        Path sources = Path.of("src/main/java/io/selfinstruct");
        Pattern sql = Pattern.compile(
                "(?i)\\b(from|join|into|update)\\s+(" + String.join("|", TABLE_OWNERS.keySet()) + ")\\b");
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String feature = sources.relativize(file).getName(0).toString();
                String code = stringLiterals(Files.readString(file));
                Matcher m = sql.matcher(code);
                while (m.find()) {
                    String owner = TABLE_OWNERS.get(m.group(2).toLowerCase(java.util.Locale.ROOT));
                    if (!owner.equals(feature)) {
                        violations.add(sources.relativize(file) + ": \"" + m.group() + "\" (table of " + owner + ")");
                    }
                }
            }
        }
        assertThat(violations).as("SQL on another feature's table").isEmpty();
    }

    @Test
    void theTableRuleSeesSql() {
        assertThat(stringLiterals("String s = \"select text from instruction where id = ?\"; // from batch"))
                .contains("from instruction")
                .doesNotContain("from batch");
    }

    /** The text of the string literals and text blocks of a source file, one per line; comments left out. */
    private static String stringLiterals(String source) {
        StringBuilder out = new StringBuilder();
        Matcher m = Pattern.compile(
                        "\"\"\"(.*?)\"\"\"|\"((?:[^\"\\\\\\n]|\\\\.)*)\"|//[^\\n]*|/\\*.*?\\*/", Pattern.DOTALL)
                .matcher(source);
        while (m.find()) {
            if (m.group(1) != null) {
                out.append(m.group(1)).append('\n');
            } else if (m.group(2) != null) {
                out.append(m.group(2)).append(' ');
            }
        }
        return out.toString();
    }
}
