package io.selfinstruct.export;

/** One instruction with one of its instances: a single training example. Input is "" when there is none. */
public record ExportRecord(String instruction, String input, String output) {}
