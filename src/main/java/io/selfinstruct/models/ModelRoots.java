package io.selfinstruct.models;

import io.selfinstruct.problem.InvalidRequestException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The configured model roots. A requested directory is accepted only when its real path (symbolic links
 * followed) lies under one of them, so an API caller cannot make the service read arbitrary files.
 */
public final class ModelRoots {

    private final List<Path> roots;

    public ModelRoots(List<String> roots) {
        List<Path> real = new ArrayList<>();
        for (String root : roots) {
            Path path = Path.of(root).toAbsolutePath().normalize();
            try {
                real.add(path.toRealPath());
            } catch (IOException e) {
                real.add(path); // a root that does not exist yet accepts nothing until it does
            }
        }
        this.roots = List.copyOf(real);
    }

    /** The roots, absolute and with symbolic links resolved where they exist. */
    public List<Path> roots() {
        return roots;
    }

    /** The real path of {@code directory}, or a 400 naming {@code field} when it is not an allowed directory. */
    public Path resolve(String directory, String field) {
        if (directory == null || directory.isBlank()) {
            throw new InvalidRequestException(field + " is required");
        }
        if (roots.isEmpty()) {
            throw new InvalidRequestException("no model roots are configured: set selfinstruct.models.roots"
                    + " (env SELFINSTRUCT_MODELS_ROOTS, comma-separated)");
        }
        Path real;
        try {
            Path path = Path.of(directory).toAbsolutePath().normalize();
            if (!Files.isDirectory(path)) {
                throw new InvalidRequestException(field + " " + directory + " is not a directory");
            }
            real = path.toRealPath();
        } catch (InvalidPathException | IOException e) {
            throw new InvalidRequestException(field + " " + directory + " is not a readable path");
        }
        if (roots.stream().noneMatch(real::startsWith)) {
            throw new InvalidRequestException(field + " " + directory + " lies outside the configured model roots");
        }
        return real;
    }
}
