package io.selfinstruct.llm;

/**
 * A structured-output request: the answer is a JSON object following {@code schemaJson}, sent as
 * {@code response_format: {"type": "json_schema", "json_schema": {"name", "strict": true, "schema"}}}.
 *
 * @param name       the schema's name, {@code [a-zA-Z0-9_-]}, at most 64 characters
 * @param schemaJson a JSON Schema object, as text
 */
public record ResponseFormat(String name, String schemaJson) {

    public ResponseFormat {
        if (name == null || !name.matches("[a-zA-Z0-9_-]{1,64}")) {
            throw new IllegalArgumentException("a response format needs a name of 1 to 64 letters, digits, _ or -");
        }
        if (schemaJson == null || schemaJson.isBlank()) {
            throw new IllegalArgumentException("a response format needs a schema");
        }
    }

    String fingerprint() {
        return name + ":" + schemaJson;
    }
}
