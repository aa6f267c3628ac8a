package io.selfinstruct.export;

import io.selfinstruct.problem.InvalidRequestException;
import java.util.Arrays;
import java.util.stream.Collectors;

/** The download formats of {@code GET /api/export}, named as the {@code format} parameter spells them. */
public enum ExportFormat {

    /** One JSON array of {@code {"instruction","input","output"}}: Stanford Alpaca's {@code alpaca_data.json}. */
    ALPACA("alpaca", "alpaca_data", ".json", "application/json"),
    /** The alpaca objects, one per line. */
    JSONL("jsonl", "alpaca_data", ".jsonl", "application/x-ndjson"),
    /** A zip of {@code all_generated_instances.jsonl} and {@code gpt3_finetuning_data_{N}.jsonl}, as SI writes them. */
    SELF_INSTRUCT("self-instruct", "self_instruct", ".zip", "application/zip"),
    /** SI's GPT-3 fine-tuning file alone: {@code {"prompt","completion"}} per line. */
    GPT3("gpt3", "gpt3_finetuning_data", ".jsonl", "application/x-ndjson"),
    /** OpenAI chat fine-tuning lines: {@code {"messages":[system, user, assistant]}}. */
    OPENAI_CHAT("openai-chat", "openai_chat", ".jsonl", "application/x-ndjson"),
    /** ShareGPT lines: {@code {"conversations":[{"from":"human"}, {"from":"gpt"}]}}. */
    SHAREGPT("sharegpt", "sharegpt", ".jsonl", "application/x-ndjson");

    private final String parameter;
    private final String baseName;
    private final String extension;
    private final String contentType;

    ExportFormat(String parameter, String baseName, String extension, String contentType) {
        this.parameter = parameter;
        this.baseName = baseName;
        this.extension = extension;
        this.contentType = contentType;
    }

    public static ExportFormat of(String parameter) {
        return Arrays.stream(values())
                .filter(f -> f.parameter.equalsIgnoreCase(parameter == null ? "" : parameter.strip()))
                .findFirst()
                .orElseThrow(() -> new InvalidRequestException("Unknown export format '" + parameter + "'; use one of "
                        + Arrays.stream(values()).map(f -> f.parameter).collect(Collectors.joining(", "))));
    }

    /** Formats written record by record, which can also be split into train and validation files. */
    public boolean perRecord() {
        return this != SELF_INSTRUCT && this != GPT3;
    }

    /** A JSON array rather than one JSON value per line. */
    public boolean array() {
        return this == ALPACA;
    }

    public String parameter() {
        return parameter;
    }

    public String baseName() {
        return baseName;
    }

    public String extension() {
        return extension;
    }

    public String contentType() {
        return contentType;
    }

    public String fileName() {
        return baseName + extension;
    }
}
