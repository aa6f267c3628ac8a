package io.selfinstruct.finetune.data;

/** One training example in the Alpaca shape; {@code input} is empty when the instruction needs none. */
public record Example(String instruction, String input, String output) {

    public Example {
        input = input == null ? "" : input;
    }
}
